"""moto_server for the e2e tests, with two fixes that make its signature checking behave like AWS.

Run with the venv's python: `python e2e/scripts/moto-server.py -H 127.0.0.1 -p 0` (same options as
moto_server; port 0 lets the OS pick, and werkzeug prints the port it got: ` * Running on http://...`).

With signature checking on (INITIAL_NO_AUTH_ACTION_COUNT, or POST /moto-api/reset-auth), moto 5
indexes the Authorization header unconditionally, so a request without one fails with a 500 KeyError:
- AWS accepts AssumeRoleWithWebIdentity and AssumeRoleWithSAML unsigned (the token is the credential).
  The SDKs send them unsigned, so the sidecar's web-identity exchange must work with auth on: these
  two actions skip the check when unsigned, as in AWS. (Moto still does not validate the token.)
- Any other unsigned request is answered 403 MissingAuthenticationToken instead of a 500.
And its auth errors (SignatureDoesNotMatch, InvalidClientTokenId, AccessDenied, ...) come back as JSON
for JSON-protocol services, as at AWS, instead of XML that SDK v3 cannot parse.
"""

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import _RESTError
from moto.server import main

UNSIGNED_ACTIONS = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})


class MissingAuthenticationToken(_RESTError):
    code = 403

    def __init__(self) -> None:
        super().__init__("MissingAuthenticationToken", "Request is missing Authentication Token")


_checked = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
    auth_on = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
    # self.headers is a werkzeug Headers (case-insensitive) or a dict of werkzeug's Title-Case names.
    if auth_on and self.headers.get("Authorization") is None:
        if self._get_action() in UNSIGNED_ACTIONS:
            return None
        if self.headers.get("X-Amz-Target") not in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
            raise _in_protocol(self, MissingAuthenticationToken())
    try:
        return _checked(self, iam_request_cls, resource)
    except _RESTError as err:
        raise _in_protocol(self, err) from None


def _in_protocol(response, err):
    # moto raises its auth errors as XML; JSON-protocol services (DynamoDB, SQS, KMS, Secrets Manager,
    # ...) answer in JSON at AWS, and SDK v3 cannot parse XML there (it throws a SyntaxError).
    json_protocol = response.headers.get("X-Amz-Target") is not None or (
        response.headers.get("Content-Type") or ""
    ).startswith("application/x-amz-json")
    return err.to_json() if json_protocol else err


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action

if __name__ == "__main__":
    main()
