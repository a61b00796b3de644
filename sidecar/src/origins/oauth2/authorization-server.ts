import * as oauth from 'oauth4webapi';
import { PortcullisError, type ResolvedOAuth2Server } from '@portcullis/shared';
import type { TokenFetch } from './token-http.js';

/** What discovery finds, or what a tokenEndpoint stands for: oauth4webapi's view of the server. */
export type AuthorizationServer = oauth.AuthorizationServer & { readonly token_endpoint: string };

/**
 * The authorization server of a source. With `tokenEndpoint` that URL is all there is (the issuer is
 * taken as the endpoint's origin, only to satisfy oauth4webapi). With `issuer` the discovery document is
 * read: OpenID Connect's `/.well-known/openid-configuration` first, RFC 8414's
 * `/.well-known/oauth-authorization-server` when that is missing; oauth4webapi checks that the document's
 * issuer equals the configured one, so a document cannot redirect tokens elsewhere.
 */
export async function authorizationServer(server: ResolvedOAuth2Server, fetch: TokenFetch, allowInsecure: boolean, what: string): Promise<AuthorizationServer> {
  if (server.kind === 'tokenEndpoint') {
    return { issuer: server.tokenEndpoint.origin, token_endpoint: server.tokenEndpoint.href };
  }
  const problems: string[] = [];
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    let response: Response;
    try {
      response = await oauth.discoveryRequest(server.issuer, { algorithm, [oauth.customFetch]: fetch, [oauth.allowInsecureRequests]: allowInsecure });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new PortcullisError('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE', `${what}: the discovery document of ${server.issuer.href} could not be read (${e.code ?? (e instanceof Error ? e.message.slice(0, 200) : 'error')}); check the issuer, the network path and oauth2.caBundle`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new PortcullisError('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE', `${what}: the discovery document of ${server.issuer.href} answered ${response.status}; check that the OAuth2 server is healthy`);
    }
    try {
      const as = await oauth.processDiscoveryResponse(server.issuer, response);
      if (typeof as.token_endpoint !== 'string') {
        problems.push(`${algorithm}: no token_endpoint`);
        continue;
      }
      return as as AuthorizationServer;
    } catch (err) {
      problems.push(`${algorithm}: ${(err as Error).message.slice(0, 160)}`);
    }
  }
  throw new PortcullisError('OAUTH2_DISCOVERY_FAILED', `${what}: no usable discovery document for issuer ${server.issuer.href} (${problems.join('; ')}); check oauth2.issuer or set oauth2.tokenEndpoint`);
}
