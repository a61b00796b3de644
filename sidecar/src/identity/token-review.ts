import { KubeApiError, type KubeRestClient } from '@portcullis/shared/kube';
import type { TokenReviewStatus } from './identity.js';

interface TokenReview {
  status?: TokenReviewStatus;
}

/**
 * TokenReview through the API server, with the sidecar's own (API-audience) credentials. Those are a
 * projected token bound to the same pod, so a 401 for them is the API server saying the pod's tokens are
 * no longer valid (the pod was deleted, or they expired): an answer, returned as a refusal. Every other
 * failure (network, timeout, 403, 5xx) rejects and is retried while the verified identity lasts.
 */
export function apiTokenReviewer(client: KubeRestClient): (token: string, audience: string) => Promise<TokenReviewStatus> {
  return async (token, audience) => {
    let review: TokenReview;
    try {
      review = await client.json<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, audiences: [audience] },
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 401) {
        return { authenticated: false, error: `the API server refused the sidecar's own pod-bound API token (401 ${err.reason}): the pod was deleted or its tokens expired` };
      }
      throw err;
    }
    return review.status ?? {};
  };
}
