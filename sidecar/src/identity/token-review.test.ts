import { describe, expect, it } from '@jest/globals';
import { KubeApiError, type KubeRestClient } from '@portcullis/shared/kube';
import { identityFromReview } from './identity.js';
import { apiTokenReviewer } from './token-review.js';

const client = (answer: () => Promise<unknown>): KubeRestClient => ({ json: answer }) as unknown as KubeRestClient;

describe('apiTokenReviewer', () => {
  it("turns a 401 for the sidecar's own pod-bound API token into a refusal (the pod is gone)", async () => {
    const review = apiTokenReviewer(client(() => Promise.reject(new KubeApiError(401, 'Unauthorized', 'POST …: 401'))));
    const status = await review('t', 'portcullis');
    expect(status.authenticated).toBe(false);
    expect(identityFromReview(status, 'portcullis')).toEqual({ problem: expect.stringMatching(/pod-bound API token \(401 Unauthorized\)/) });
  });

  it.each([
    ['403 (RBAC)', new KubeApiError(403, 'Forbidden', 'POST …: 403')],
    ['503', new KubeApiError(503, 'ServiceUnavailable', 'POST …: 503')],
    ['a network error', new Error('connect ECONNREFUSED')],
  ])('passes %s on as a failure to retry, not a refusal', async (_what, err) => {
    const review = apiTokenReviewer(client(() => Promise.reject(err)));
    await expect(review('t', 'portcullis')).rejects.toBe(err);
  });

  it("returns the API server's status", async () => {
    const review = apiTokenReviewer(client(() => Promise.resolve({ status: { authenticated: true } })));
    expect(await review('t', 'portcullis')).toEqual({ authenticated: true });
  });
});
