import * as oauth from 'oauth4webapi';
import { PortcullisError, type ErrorCode } from '@portcullis/shared';
import { cleanProviderText } from '../provider-text.js';

/**
 * The `result` label of portcullis_sidecar_oauth2_token_requests_total: `ok`, the server's OAuth2 error
 * code when it is one of RFC 6749/8707's (a bounded set), or what went wrong on our side.
 */
export type TokenRequestResult =
  | 'ok'
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'other_error'
  | 'unavailable'
  | 'invalid_answer'
  | 'discovery_failed'
  | 'client_key_invalid'
  | 'assertion_reused'
  | 'token_file_unavailable';

/** A failed mint: the error the app and /readyz see, and the metric's result. */
export interface TokenRequestFailure {
  readonly error: PortcullisError;
  readonly result: TokenRequestResult;
  /** The server's `error` and `error_description` when it sent them (logged; never a token). */
  readonly oauthError: string | undefined;
}

const KNOWN_ERRORS = new Set<string>(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target']);

/** The server's description, shortened, with anything shaped like a token, a JWT or a key blanked out. */
export function describeOAuthError(error: string, description: unknown): string {
  const clean = typeof description === 'string' ? cleanProviderText(description) : '';
  return clean === '' ? error.slice(0, 64) : `${error.slice(0, 64)}: ${clean}`;
}

function codeOfOAuthError(error: string, description: string): ErrorCode {
  switch (error) {
    case 'invalid_client':
    case 'unauthorized_client':
      return 'OAUTH2_CLIENT_REJECTED';
    case 'invalid_grant':
      return 'OAUTH2_GRANT_REJECTED';
    case 'invalid_scope':
    case 'invalid_target':
      return 'OAUTH2_SCOPE_REJECTED';
    case 'invalid_request':
      // Hydra answers a requested audience the client may not use with invalid_request.
      return /audience|scope/i.test(description) ? 'OAUTH2_SCOPE_REJECTED' : 'OAUTH2_ANSWER_INVALID';
    default:
      return 'OAUTH2_ANSWER_INVALID';
  }
}

const FIX: Partial<Record<ErrorCode, string>> = {
  OAUTH2_CLIENT_REJECTED: 'check oauth2.clientId, the client secret or key in clientAuthentication.secretRef, and that the client is registered with this authentication method and grant',
  OAUTH2_GRANT_REJECTED: "check that the server trusts the cluster's service account issuer for this subject and that oauth2.assertion.tokenAudience is the audience it expects",
  OAUTH2_SCOPE_REJECTED: 'request only the scopes, audiences and resources the client is allowed (oauth2.scopes, audiences, resources)',
  OAUTH2_ANSWER_INVALID: "check the server's log for the request",
};

function fromResponseBody(err: oauth.ResponseBodyError, what: string): TokenRequestFailure {
  const reason = describeOAuthError(err.error, err.error_description);
  if (err.error === 'jti_known') {
    // Hydra's answer to a replayed assertion: the projected token was presented before (a restarted sidecar).
    return { error: new PortcullisError('OAUTH2_ASSERTION_ALREADY_USED', `${what}: the server refused the pod's projected token as already used (${reason}); the next mint uses the token the kubelet rotates in`), result: 'assertion_reused', oauthError: reason };
  }
  const code = err.status >= 500 || err.status === 429 ? 'OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE' : codeOfOAuthError(err.error, reason);
  const fix = FIX[code] ?? 'check that the OAuth2 server is healthy';
  const result = KNOWN_ERRORS.has(err.error) ? (err.error as TokenRequestResult) : 'other_error';
  return { error: new PortcullisError(code, `${what}: the token endpoint answered ${err.status} (${reason}); ${fix}`), result, oauthError: reason };
}

function fromChallenge(err: oauth.WWWAuthenticateChallengeError, what: string): TokenRequestFailure {
  const challenge = err.cause[0];
  const error = challenge?.parameters.error ?? 'invalid_client';
  const reason = describeOAuthError(error, challenge?.parameters.error_description);
  const result = KNOWN_ERRORS.has(error) ? (error as TokenRequestResult) : 'invalid_client';
  return { error: new PortcullisError('OAUTH2_CLIENT_REJECTED', `${what}: the token endpoint answered ${err.status} with a ${challenge?.scheme ?? ''} challenge (${reason}); ${FIX.OAUTH2_CLIENT_REJECTED ?? ''}`), result, oauthError: reason };
}

function fromProcessing(err: oauth.OperationProcessingError, what: string): TokenRequestFailure {
  const status = err.cause instanceof Response ? err.cause.status : undefined;
  if (status !== undefined && (status >= 500 || status === 429)) {
    return { error: new PortcullisError('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE', `${what}: the token endpoint answered ${status}; check that the OAuth2 server is healthy`), result: 'unavailable', oauthError: undefined };
  }
  const answered = status !== undefined ? ` (HTTP ${status})` : '';
  return { error: new PortcullisError('OAUTH2_ANSWER_INVALID', `${what}: ${err.message.slice(0, 200)}${answered}; check the token endpoint URL and the server's log`), result: 'invalid_answer', oauthError: undefined };
}

const RESULT_OF_CODE: Partial<Record<ErrorCode, TokenRequestResult>> = {
  OAUTH2_ANSWER_INVALID: 'invalid_answer',
  OAUTH2_ASSERTION_ALREADY_USED: 'assertion_reused',
  OAUTH2_CLIENT_KEY_INVALID: 'client_key_invalid',
  OAUTH2_DISCOVERY_FAILED: 'discovery_failed',
  ORIGIN_TOKEN_UNAVAILABLE: 'token_file_unavailable',
};

/**
 * The error of a failed token request, from what oauth4webapi threw or the transport rejected with.
 * `what` names the call ("minting a token for source x"). Nothing of the request or the answer body but
 * the OAuth2 error code and a redacted description gets into the message: oauth4webapi's own errors
 * keep the parsed body (with a token in it) as their cause, which is dropped here.
 */
export function tokenRequestFailure(err: unknown, what: string): TokenRequestFailure {
  if (err instanceof oauth.ResponseBodyError) return fromResponseBody(err, what);
  if (err instanceof oauth.WWWAuthenticateChallengeError) return fromChallenge(err, what);
  if (err instanceof oauth.OperationProcessingError) return fromProcessing(err, what);
  if (err instanceof PortcullisError) {
    const code = err.code === 'INTERNAL' ? 'OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE' : err.code;
    const message = err.message.startsWith(what) ? err.message : `${what}: ${err.message}`;
    return { error: new PortcullisError(code, message), result: RESULT_OF_CODE[err.code] ?? 'unavailable', oauthError: undefined };
  }
  const e = err as NodeJS.ErrnoException;
  const detail = e?.code ?? (e instanceof Error ? e.message.slice(0, 200) : 'unknown error');
  return {
    error: new PortcullisError('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE', `${what}: the token endpoint could not be reached (${detail}); check the URL, the network path to it and oauth2.caBundle`),
    result: 'unavailable',
    oauthError: undefined,
  };
}
