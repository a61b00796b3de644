import { describe, expect, it } from '@jest/globals';
import { MOUNT_PATHS, VOLUME_NAMES, resolveSource, type CredentialSource, type ResolvedSource } from '@portcullis/shared';
import { originTokenNeeds, originTokensVolume } from './origin-tokens.js';

function resolved(name: string, oauth2: object): ResolvedSource {
  const cs = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name, namespace: 'a' }, spec: { type: 'http', port: 18080, http: { upstream: 'https://api.example.com', oauth2 } } } as CredentialSource;
  const r = resolveSource(cs);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.source;
}

describe('originTokensVolume', () => {
  it('adds nothing when no selected source needs a token of its own', () => {
    expect(originTokensVolume([], 3600)).toBeUndefined();
  });

  it('projects one token per source, named after it, each with its own audience, in one volume for the sidecar', () => {
    const out = originTokensVolume([{ source: 'blob', audience: 'api://AzureADTokenExchange' }, { source: 'gcs', audience: 'https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/k8s' }], 3600);
    expect(out?.mount).toEqual({ name: VOLUME_NAMES.originTokens, mountPath: MOUNT_PATHS.originTokens, readOnly: true });
    expect(out?.volume).toEqual({
      name: 'portcullis-origin-tokens',
      projected: {
        sources: [
          { serviceAccountToken: { audience: 'api://AzureADTokenExchange', expirationSeconds: 3600, path: 'blob' } },
          { serviceAccountToken: { audience: 'https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/k8s', expirationSeconds: 3600, path: 'gcs' } },
        ],
      },
    });
  });

  it('gives an oauth2 JwtBearer source the pod token of its assertion audience, and a client-credentials source none', () => {
    const jwtBearer = resolved('ledger', { tokenEndpoint: 'https://auth.example.com/oauth2/token', grant: 'JwtBearer', clientId: 'ledger', clientAuthentication: { method: 'None' } });
    const clientCredentials = resolved('reports', { tokenEndpoint: 'https://auth.example.com/oauth2/token', grant: 'ClientCredentials', clientId: 'r', clientAuthentication: { method: 'ClientSecretBasic', secretRef: { name: 's', key: 'k' } } });
    expect(originTokenNeeds([jwtBearer, clientCredentials])).toEqual([{ source: 'ledger', audience: 'https://auth.example.com/oauth2/token' }]);
  });
});
