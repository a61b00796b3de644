import { EMPTY_BUDGET, release as releaseAmount, reserve as reserveAmount, settle as settleAmount, type Amount, type BudgetLimits, type BudgetState, type ReserveResult } from './budget.js';
import type { LimitStore } from './store.js';
import { takeToken, type BucketSpec, type BucketState, type BucketTake } from './token-bucket.js';

interface Slots {
  holders: Map<string, number>;
}

interface Budget {
  slot: string;
  state: BudgetState;
  /** Reservations by id, with the time they lapse. */
  holds: Map<string, { amount: Amount; untilMs: number }>;
}

/**
 * Counters in this process (pod scope). Keys are one per policy limit, and a budget key keeps only its
 * current window, so the maps are bounded by the number of limits. Lapsed slots and reservations (a
 * request that never ended) are dropped when the key is next touched.
 */
export class MemoryLimitStore implements LimitStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly slots = new Map<string, Slots>();
  private readonly budgets = new Map<string, Budget>();

  take(key: string, spec: BucketSpec, nowMs: number): Promise<BucketTake> {
    return Promise.resolve(this.takeNow(key, spec, nowMs));
  }

  takeNow(key: string, spec: BucketSpec, nowMs: number): BucketTake {
    const result = takeToken(spec, this.buckets.get(key), nowMs);
    this.buckets.set(key, result.state);
    return result;
  }

  acquire(key: string, id: string, max: number, nowMs: number, leaseMs: number): Promise<{ ok: boolean; inFlight: number }> {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { holders: new Map() }));
    for (const [holder, until] of s.holders) if (until <= nowMs) s.holders.delete(holder);
    if (s.holders.size >= max) return Promise.resolve({ ok: false, inFlight: s.holders.size });
    s.holders.set(id, nowMs + leaseMs);
    return Promise.resolve({ ok: true, inFlight: s.holders.size });
  }

  releaseSlot(key: string, id: string): Promise<void> {
    this.slots.get(key)?.holders.delete(id);
    return Promise.resolve();
  }

  private budget(key: string, slot: string, nowMs: number | undefined): Budget {
    let b = this.budgets.get(key);
    if (!b || b.slot !== slot) this.budgets.set(key, (b = { slot, state: EMPTY_BUDGET, holds: new Map() }));
    if (nowMs !== undefined) {
      for (const [id, hold] of b.holds) {
        if (hold.untilMs > nowMs) continue;
        b.holds.delete(id);
        b.state = releaseAmount(b.state, hold.amount);
      }
    }
    return b;
  }

  reserve(key: string, slot: string, id: string, limits: BudgetLimits, ask: Amount, nowMs: number, leaseMs: number, _expiresAtMs?: number): Promise<ReserveResult> {
    const b = this.budget(key, slot, nowMs);
    const result = reserveAmount(limits, b.state, ask);
    if (result.ok) {
      b.state = result.state;
      b.holds.set(id, { amount: ask, untilMs: nowMs + leaseMs });
    }
    return Promise.resolve(result);
  }

  settle(key: string, slot: string, id: string, reserved: Amount, actual: Amount): Promise<BudgetState> {
    const b = this.budget(key, slot, undefined);
    // A reservation that lapsed (or belonged to an ended window) was already given back.
    const held = b.holds.delete(id);
    b.state = held ? settleAmount(b.state, reserved, actual) : { used: settleAmount(b.state, reserved, actual).used, reserved: b.state.reserved };
    return Promise.resolve(b.state);
  }
}
