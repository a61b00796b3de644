import type { KubeRestClient } from '@portcullis/shared/kube-rest';
import type { TokenReviewStatus } from './identity.js';

interface TokenReview {
  status?: TokenReviewStatus;
}

/** TokenReview through the API server, with the sidecar's own (API-audience) credentials. */
export function apiTokenReviewer(client: KubeRestClient): (token: string, audience: string) => Promise<TokenReviewStatus> {
  return async (token, audience) => {
    const review = await client.json<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: [audience] },
    });
    return review.status ?? {};
  };
}
