import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { TokenReviewStatus } from './identity.js';

/** TokenReview through the API server, with the sidecar's own (API-audience) credentials. */
export function apiTokenReviewer(kc: KubeConfig): (token: string, audience: string) => Promise<TokenReviewStatus> {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token, audience) => {
    const res = await api.createTokenReview({ body: { spec: { token, audiences: [audience] } } });
    return res.status ?? {};
  };
}
