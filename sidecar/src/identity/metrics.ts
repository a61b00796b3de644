import { Counter, Gauge, type Registry } from '../prom-client-lean.js';

/** Outcome of one TokenReview attempt: a bounded metric label. */
export type ReviewResult = 'verified' | 'rejected' | 'timeout' | 'error';

export interface IdentityMetrics {
  /** TokenReviews by result: verified, rejected (the API server said no), timeout, error. */
  readonly reviews: Counter<'result'>;
  /** When the verified identity expires unless a review succeeds before (seconds since the epoch; 0: none). */
  readonly validUntil: Gauge;
}

export function createIdentityMetrics(registry: Registry): IdentityMetrics {
  const registers = [registry];
  return {
    reviews: new Counter({
      name: 'portcullis_sidecar_identity_reviews_total',
      help: 'TokenReviews of the pod identity token, by result (verified, rejected, timeout, error)',
      labelNames: ['result'],
      registers,
    }),
    validUntil: new Gauge({
      name: 'portcullis_sidecar_identity_valid_until_seconds',
      help: 'Unix time at which the verified identity expires unless a TokenReview succeeds before; 0 without one',
      registers,
    }),
  };
}
