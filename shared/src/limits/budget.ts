/**
 * Budget accounting: what a window has used and what calls in flight have reserved, per dimension.
 * A call reserves its worst case before it is forwarded and settles with the usage the response
 * reported; a reservation that would take used + reserved past any limit is refused, so concurrent
 * calls can never together spend more than the budget allows (as long as each stays within what it
 * reserved). Pure: the stores (memory, Redis Lua) keep the state and apply these rules.
 */
export interface Amount {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Micro-US-dollars (1 USD = 1 000 000). */
  readonly costMicroUSD: number;
}

/** The limits of one budget; undefined: that dimension is not limited. */
export interface BudgetLimits {
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
  /** Input plus output tokens. */
  readonly tokens?: number | undefined;
  readonly costMicroUSD?: number | undefined;
}

export interface BudgetState {
  readonly used: Amount;
  readonly reserved: Amount;
}

export type BudgetDimension = 'inputTokens' | 'outputTokens' | 'tokens' | 'costMicroUSD';

export const ZERO: Amount = Object.freeze({ inputTokens: 0, outputTokens: 0, costMicroUSD: 0 });
export const EMPTY_BUDGET: BudgetState = Object.freeze({ used: ZERO, reserved: ZERO });

export function add(a: Amount, b: Amount): Amount {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costMicroUSD: a.costMicroUSD + b.costMicroUSD };
}

export function subtract(a: Amount, b: Amount): Amount {
  return {
    inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
    outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
    costMicroUSD: Math.max(0, a.costMicroUSD - b.costMicroUSD),
  };
}

function valueOf(a: Amount, dim: BudgetDimension): number {
  return dim === 'tokens' ? a.inputTokens + a.outputTokens : a[dim];
}

const DIMENSIONS: readonly BudgetDimension[] = ['inputTokens', 'outputTokens', 'tokens', 'costMicroUSD'];

export type ReserveResult =
  | { readonly ok: true; readonly state: BudgetState }
  /**
   * `exhausted`: used alone reached the limit; `tooLarge`: the ask alone exceeds the limit; `short`: what is
   * left after used is less than the ask; `busy`: it would fit but reservations in flight hold the rest.
   */
  | { readonly ok: false; readonly dimension: BudgetDimension; readonly why: 'exhausted' | 'tooLarge' | 'short' | 'busy'; readonly limit: number; readonly used: number; readonly ask: number };

/** Reserves `ask` when used + reserved + ask stays within every limit. */
export function reserve(limits: BudgetLimits, state: BudgetState, ask: Amount): ReserveResult {
  for (const dim of DIMENSIONS) {
    const limit = limits[dim];
    if (limit === undefined) continue;
    const used = valueOf(state.used, dim);
    const need = valueOf(ask, dim);
    if (used >= limit) return { ok: false, dimension: dim, why: 'exhausted', limit, used, ask: need };
    if (need > limit) return { ok: false, dimension: dim, why: 'tooLarge', limit, used, ask: need };
    if (used + need > limit) return { ok: false, dimension: dim, why: 'short', limit, used, ask: need };
    if (used + valueOf(state.reserved, dim) + need > limit) return { ok: false, dimension: dim, why: 'busy', limit, used, ask: need };
  }
  return { ok: true, state: { used: state.used, reserved: add(state.reserved, ask) } };
}

/** Replaces a reservation with what the call really used (which may be more or less). */
export function settle(state: BudgetState, reserved: Amount, actual: Amount): BudgetState {
  return { used: add(state.used, actual), reserved: subtract(state.reserved, reserved) };
}

/** Gives a reservation back unused (the call failed before the upstream could charge for it). */
export function release(state: BudgetState, reserved: Amount): BudgetState {
  return { used: state.used, reserved: subtract(state.reserved, reserved) };
}

/** What is left per limited dimension (never negative), for audit lines and metrics. */
export function remaining(limits: BudgetLimits, state: BudgetState): Partial<Record<BudgetDimension, number>> {
  const out: Partial<Record<BudgetDimension, number>> = {};
  for (const dim of DIMENSIONS) {
    const limit = limits[dim];
    if (limit !== undefined) out[dim] = Math.max(0, limit - valueOf(state.used, dim));
  }
  return out;
}
