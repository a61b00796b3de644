/**
 * A token bucket: `burst` tokens at most, refilled at `ratePerSecond`; a request takes one token. Pure:
 * the caller keeps the state and passes the clock. The Redis store runs the same arithmetic in Lua
 * (sidecar/src/limits/redis/scripts.ts); bucket.test.ts holds both to the same cases.
 */
export interface BucketSpec {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface BucketState {
  readonly tokens: number;
  readonly atMs: number;
}

export interface BucketTake {
  readonly allowed: boolean;
  readonly state: BucketState;
  /** When refused: ms until one token is back. 0 when allowed. */
  readonly retryAfterMs: number;
  /** Whole tokens left after this take. */
  readonly remaining: number;
}

/** Takes one token at `nowMs` (a clock going backwards refills nothing). */
export function takeToken(spec: BucketSpec, state: BucketState | undefined, nowMs: number): BucketTake {
  const elapsedMs = state ? Math.max(0, nowMs - state.atMs) : 0;
  const before = state ? Math.min(spec.burst, state.tokens + (elapsedMs * spec.ratePerSecond) / 1000) : spec.burst;
  const at = state ? Math.max(nowMs, state.atMs) : nowMs;
  if (before >= 1) {
    const tokens = before - 1;
    return { allowed: true, state: { tokens, atMs: at }, retryAfterMs: 0, remaining: Math.floor(tokens) };
  }
  const retryAfterMs = Math.ceil(((1 - before) * 1000) / spec.ratePerSecond);
  return { allowed: false, state: { tokens: before, atMs: at }, retryAfterMs, remaining: 0 };
}

/** Bucket spec of `count` requests per `periodSeconds`, bursting to `burst` (default: count). */
export function bucketSpec(count: number, periodSeconds: number, burst: number | undefined): BucketSpec {
  return { ratePerSecond: count / periodSeconds, burst: burst ?? count };
}
