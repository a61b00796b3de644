// When the identity watcher reviews next (ADR 7): pure arithmetic on the clock, the token's expiry and a
// random draw, so tests pin every delay; the watcher owns the timers.

/** Each periodic review falls within ±10 % of the interval, so pods started together do not review in step. */
export const REVIEW_JITTER_FRACTION = 0.1;

/** Never schedule a review sooner than this (an already expired token would otherwise spin). */
export const MIN_REVIEW_DELAY_MS = 1000;

export interface NextReviewInput {
  readonly nowMs: number;
  /** The reviewed token's `exp` in ms since the epoch; undefined: not a JWT with an exp. */
  readonly tokenExpMs: number | undefined;
  /** Review this long before the token expires. */
  readonly refreshBeforeExpiryMs: number;
  /** The periodic interval (`--identity-review-interval-seconds`) before jitter. */
  readonly intervalMs: number;
  /** A uniform draw in [0, 1): Math.random in production, fixed in tests. */
  readonly random: () => number;
}

/** The periodic delay: the interval scaled by a factor uniform in [0.9, 1.1), whose mean is the interval. */
export function jitteredIntervalMs(intervalMs: number, random: () => number): number {
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.round(intervalMs * (1 + REVIEW_JITTER_FRACTION * (2 * draw - 1)));
}

/** The longest periodic delay jitter can give: what bounds how long a revoked token goes unnoticed. */
export function longestIntervalMs(intervalMs: number): number {
  return Math.round(intervalMs * (1 + REVIEW_JITTER_FRACTION));
}

/**
 * Delay until the next review after a successful one: the jittered interval, or `refreshBeforeExpiryMs`
 * before the token expires if that comes first (not jittered: it must precede the expiry), at least
 * MIN_REVIEW_DELAY_MS.
 */
export function nextReviewDelayMs(input: NextReviewInput): number {
  const periodic = jitteredIntervalMs(input.intervalMs, input.random);
  const beforeExpiry = input.tokenExpMs === undefined ? Number.POSITIVE_INFINITY : input.tokenExpMs - input.nowMs - input.refreshBeforeExpiryMs;
  return Math.max(MIN_REVIEW_DELAY_MS, Math.min(periodic, beforeExpiry));
}
