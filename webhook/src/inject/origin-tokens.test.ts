import { describe, expect, it } from '@jest/globals';
import { MOUNT_PATHS, VOLUME_NAMES } from '@portcullis/shared';
import { originTokensVolume } from './origin-tokens.js';

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
});
