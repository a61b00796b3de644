import type { Amount, BudgetLimits, BudgetState, ReserveResult } from './budget.js';
import type { BucketSpec, BucketTake } from './token-bucket.js';

/**
 * Where counters live: memory (pod scope, this process) or Redis (scopes shared by pods). Every
 * operation is atomic per key. Rejects (a Redis outage) are the caller's to map to fail-closed or
 * fail-open; a store never throws synchronously.
 */
export interface LimitStore {
  /** Takes one token from the bucket at `key`. */
  take(key: string, spec: BucketSpec, nowMs: number): Promise<BucketTake>;
  /** Holds one of `max` in-flight slots at `key` for `id`, until released or `leaseMs` passed (a crashed holder). */
  acquire(key: string, id: string, max: number, nowMs: number, leaseMs: number): Promise<{ readonly ok: boolean; readonly inFlight: number }>;
  releaseSlot(key: string, id: string): Promise<void>;
  /**
   * Reserves `ask` for `id` in the budget window `slot` at `key` (a new slot starts empty), unless that
   * would take used + reserved past a limit. A reservation not settled within `leaseMs` lapses.
   */
  reserve(key: string, slot: string, id: string, limits: BudgetLimits, ask: Amount, nowMs: number, leaseMs: number, expiresAtMs: number | undefined): Promise<ReserveResult>;
  /** Replaces the reservation of `id` by `actual` (possibly zero: a release) and returns the new state. */
  settle(key: string, slot: string, id: string, reserved: Amount, actual: Amount): Promise<BudgetState>;
}
