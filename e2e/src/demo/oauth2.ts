// The demo's secretless OAuth2 source: a real Ory Hydra trusts this API server's service-account issuer
// (its key from /openid/v1/jwks), and the pod's own projected token is the JWT-bearer grant (issue 25).
// The API behind it verifies every token with Hydra (introspection) and checks the scope.
import { startResourceServer, type ResourceServer } from '../oauth2/resource-server.js';
import { startHydra, type Hydra } from '../support/hydra.js';
import { ok } from './print.js';

export const OAUTH2_SOURCE = 'reports-oauth2';
const API = 'https://reports.example.com';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface OAuth2Peer {
  readonly hydra: Hydra;
  readonly rs: ResourceServer;
  close(): Promise<void>;
}

/**
 * Hydra with a public client for the JWT-bearer grant and a trust relationship for `namespace`'s agent:
 * the API server's issuer and its signing key `jwk` (from /openid/v1/jwks).
 */
export async function startOAuth2Peer(issuer: string, jwk: object, namespace: string): Promise<OAuth2Peer> {
  const hydra = await startHydra();
  try {
    const trust = await hydra.admin('POST', '/admin/trust/grants/jwt-bearer/issuers', {
      issuer, subject: `system:serviceaccount:${namespace}:agent`, scope: ['reports.read'], jwk, expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    if (trust.status !== 201) throw new Error(`Hydra refused the trust relationship: ${trust.status} ${JSON.stringify(trust.body)}`);
    await hydra.createClient({ client_id: 'agent', token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER], scope: 'reports.read', audience: [API] });
    const rs = await startResourceServer(hydra, API);
    return {
      hydra,
      rs,
      close: async () => {
        await rs.upstream.close();
        await hydra.close();
      },
    };
  } catch (err) {
    await hydra.close();
    throw err;
  }
}

/** The CredentialSource: no secret anywhere, the pod's projected token (audience: Hydra's token endpoint) is the grant. */
export function oauth2Source(port: number, peer: OAuth2Peer): object {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'CredentialSource',
    metadata: { name: OAUTH2_SOURCE },
    spec: {
      type: 'http',
      port,
      http: {
        upstream: peer.rs.upstream.url, caBundle: peer.rs.upstream.ca.certPem,
        oauth2: { tokenEndpoint: peer.hydra.tokenEndpoint, allowPlaintext: true, grant: 'JwtBearer', clientId: 'agent', clientAuthentication: { method: 'None' }, scopes: ['reports.read'], audiences: [API] },
      },
    },
  };
}

/** The app calls the source like any API; the sidecar mints (once) and injects the token. */
export async function oauth2Call(port: number, peer: OAuth2Peer): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/reports/read`);
  const body = (await res.json()) as { sub?: string; scope?: string };
  if (res.status !== 200) throw new Error(`GET /reports/read via ${OAUTH2_SOURCE} answered ${res.status}: ${JSON.stringify(body)}`);
  const client = peer.rs.verdicts.at(-1)?.introspection?.client_id;
  ok(`allowed: GET /reports/read via ${OAUTH2_SOURCE} → token minted by Hydra for ${body.sub ?? '?'} (scope ${body.scope ?? '?'}, client ${typeof client === 'string' ? client : '?'}); no client secret anywhere`);
}
