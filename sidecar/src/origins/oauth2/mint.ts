import * as oauth from 'oauth4webapi';
import { OAUTH2_GRANT_TYPES, PortcullisError, type OAuth2GrantKind } from '@portcullis/shared';
import type { AuthorizationServer } from './authorization-server.js';
import type { TokenFetch } from './token-http.js';

/** One token request: what is asked for, and how. */
export interface MintRequest {
  readonly as: AuthorizationServer;
  /** undefined: the grant alone authenticates and no client_id is sent. */
  readonly clientId: string | undefined;
  readonly clientAuth: oauth.ClientAuth;
  readonly grant: OAuth2GrantKind;
  /** jwt_bearer: the pod's projected token. */
  readonly assertion: string | undefined;
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly resources: readonly string[];
  readonly fetch: TokenFetch;
  readonly allowInsecure: boolean;
  readonly timeoutMs: number;
}

/** What the token endpoint gave: the access token (never logged) and what may be logged about it. */
export interface MintedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
  /** The granted scope when the server names it (RFC 6749 5.1), else the requested one. */
  readonly scope: string;
}

/** For no client authentication at all: oauth4webapi's None() would still send client_id. */
const NO_CLIENT_AUTH: oauth.ClientAuth = () => {};
/** oauth4webapi needs a client object; with no client id it is never sent (NO_CLIENT_AUTH). */
const ANONYMOUS_CLIENT = 'portcullis-anonymous';

function parametersOf(req: MintRequest): URLSearchParams {
  const params = new URLSearchParams();
  if (req.scopes.length > 0) params.set('scope', req.scopes.join(' '));
  if (req.audiences.length > 0) params.set('audience', req.audiences.join(' '));
  for (const resource of req.resources) params.append('resource', resource);
  if (req.grant === 'jwt_bearer') params.set('assertion', req.assertion ?? '');
  return params;
}

/**
 * Asks the token endpoint for an access token with oauth4webapi (request building, client
 * authentication and answer checks are the library's) and keeps only a Bearer token with a lifetime:
 * without `expires_in` the sidecar could not know when to stop using it. Throws what oauth4webapi or the
 * transport threw (oauth2-error.ts turns that into a code) or OAUTH2_ANSWER_INVALID.
 */
export async function mintToken(req: MintRequest): Promise<MintedToken> {
  const client: oauth.Client = { client_id: req.clientId ?? ANONYMOUS_CLIENT };
  const clientAuth = req.clientId === undefined ? NO_CLIENT_AUTH : req.clientAuth;
  const options = { [oauth.customFetch]: req.fetch, [oauth.allowInsecureRequests]: req.allowInsecure, signal: AbortSignal.timeout(req.timeoutMs) };
  const params = parametersOf(req);
  const answer =
    req.grant === 'client_credentials'
      ? await oauth.processClientCredentialsResponse(req.as, client, await oauth.clientCredentialsGrantRequest(req.as, client, clientAuth, params, options))
      : await oauth.processGenericTokenEndpointResponse(req.as, client, await oauth.genericTokenEndpointRequest(req.as, client, clientAuth, OAUTH2_GRANT_TYPES.jwt_bearer, params, options));
  if (answer.token_type !== 'bearer') {
    throw new PortcullisError('OAUTH2_ANSWER_INVALID', `the token endpoint issued a token of type ${answer.token_type.slice(0, 32)}, not Bearer; only Bearer tokens are injected`);
  }
  const expiresIn = answer.expires_in;
  if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new PortcullisError('OAUTH2_ANSWER_INVALID', 'the token endpoint gave no positive expires_in, so the sidecar cannot tell when the token stops being valid');
  }
  return { accessToken: answer.access_token, expiresInSeconds: expiresIn, scope: typeof answer.scope === 'string' ? answer.scope : req.scopes.join(' ') };
}
