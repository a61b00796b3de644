// Verifies a projected service account token the way a cloud's token service does for workload identity
// federation: the issuer's OIDC discovery document and JWKS, read from the e2e kube-apiserver itself
// (/.well-known/openid-configuration, /openid/v1/jwks), then the signature and issuer with jose. Audience,
// subject and expiry are the caller's to check against its own configuration (a federated credential, a
// workload identity pool provider), as Entra and Google STS do.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { clusterEnv, kubectl } from './cluster.js';

async function getRaw<T>(path: string): Promise<T> {
  const r = await kubectl(['get', '--raw', path]);
  if (r.code !== 0) throw new Error(`kubectl get --raw ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The issuer of the e2e cluster's service account tokens, as its discovery document states it. */
export async function kubeOidcVerifier(): Promise<{ issuer: string; verify: (jwt: string) => Promise<JWTPayload> }> {
  const discovery = await getRaw<{ issuer: string; jwks_uri: string }>('/.well-known/openid-configuration');
  if (discovery.issuer !== clusterEnv().serviceAccountIssuer) throw new Error(`the discovery document names issuer ${discovery.issuer}, not ${clusterEnv().serviceAccountIssuer}`);
  // jwks_uri is the issuer's public URL; the document the API server serves there is /openid/v1/jwks.
  const jwks = createLocalJWKSet(await getRaw<JSONWebKeySet>('/openid/v1/jwks'));
  return {
    issuer: discovery.issuer,
    verify: async (jwt) => (await jwtVerify(jwt, jwks, { issuer: discovery.issuer, algorithms: ['RS256', 'ES256'] })).payload,
  };
}
