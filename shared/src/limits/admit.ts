import { PortcullisError } from '../errors/portcullis-error.js';
import type { Amount, BudgetDimension, BudgetState, ReserveResult } from './budget.js';
import { remaining as remainingOf, ZERO } from './budget.js';
import type { CompiledLimit, WorkloadLimits } from './compile.js';
import { costOf, priced, type ModelPrice } from './prices.js';
import type { LimitStore } from './store.js';
import { windowSlot } from './window.js';

/** What the sidecar knows about a call before forwarding it. */
export interface CallFacts {
  readonly source: string;
  readonly requestId: string;
  readonly nowMs: number;
  /** The model the request names, if its body was read. */
  readonly model: string | undefined;
  /** Request body size: the input-token reservation (a token is at least one byte of text). */
  readonly inputBytes: number;
  /** max_tokens / max_output_tokens / max_completion_tokens of the request, if set. */
  readonly maxOutputTokens: number | undefined;
}

export interface LimitStores {
  readonly memory: LimitStore;
  /** Redis, when configured; limits with a wider scope than Pod need it. */
  readonly shared: LimitStore | undefined;
  /** How long an in-flight slot or reservation of a call that never ended is held. */
  readonly leaseMs: number;
}

export type RefusalCode = 'RATE_LIMITED' | 'CONCURRENCY_LIMITED' | 'BUDGET_EXHAUSTED' | 'BUDGET_PRICE_UNKNOWN' | 'LIMIT_STORE_UNAVAILABLE';

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  readonly policy: string;
  readonly limit: string;
  /** Seconds until trying again may succeed; undefined when waiting will not help by itself. */
  readonly retryAfterSeconds: number | undefined;
}

interface Hold {
  readonly limit: CompiledLimit;
  readonly store: LimitStore;
  readonly slot: string | undefined;
  /** Budget holds: what was reserved; slot holds: undefined. */
  readonly ask: Amount | undefined;
}

/** The limits a call passed, what it holds, and the decisions for the audit line. */
export interface Grant {
  readonly holds: Hold[];
  /** Limits let through because their store was down and they fail open. */
  readonly failedOpen: string[];
  readonly price: ModelPrice | undefined;
}

export type Admission = { readonly ok: true; readonly grant: Grant } | { readonly ok: false; readonly refusal: Refusal };

const DIMENSION_WORDS: Record<BudgetDimension, string> = {
  inputTokens: 'input tokens',
  outputTokens: 'output tokens',
  tokens: 'tokens',
  costMicroUSD: 'micro-USD',
};

function budgetMessage(l: CompiledLimit, r: Extract<ReserveResult, { ok: false }>): string {
  const what = `budget "${l.name}" of EgressPolicy ${l.policy} (${l.scope} scope, ${l.budget?.window ?? ''} window)`;
  const unit = DIMENSION_WORDS[r.dimension];
  switch (r.why) {
    case 'exhausted':
      return `${what} is spent: ${r.used} of ${r.limit} ${unit} used; calls resume when the window ends or the budget is raised`;
    case 'tooLarge':
      return `this call could use up to ${r.ask} ${unit}, more than the whole ${what} of ${r.limit}; lower max_tokens or the prompt size`;
    case 'short':
      return `${what} has ${r.limit - r.used} of ${r.limit} ${unit} left and this call could use up to ${r.ask}; lower max_tokens, or wait for the window to end or the budget to be raised`;
    default:
      return `${what} cannot cover this call: ${r.used} of ${r.limit} ${unit} used and calls in flight hold the rest; retry when they finish or lower max_tokens`;
  }
}

function storeFor(l: CompiledLimit, stores: LimitStores): LimitStore | undefined {
  return l.shared ? stores.shared : stores.memory;
}

function storeDown(l: CompiledLimit, err: unknown): Refusal {
  const why = err === undefined ? 'no Redis is configured for this sidecar (chart values sidecar.redis)' : `Redis cannot be reached (${err instanceof Error ? err.message : 'unknown error'})`;
  return {
    code: 'LIMIT_STORE_UNAVAILABLE',
    message: `limit "${l.name}" of EgressPolicy ${l.policy} (${l.scope} scope) is counted in Redis and ${why}; the call was refused (fail closed)`,
    policy: l.policy,
    limit: l.name,
    retryAfterSeconds: 1,
  };
}

/** The reservation of a call against one budget. */
export function askOf(l: CompiledLimit, call: CallFacts, price: ModelPrice | undefined): Amount {
  const output = call.maxOutputTokens ?? l.budget?.maxOutputTokensPerCall ?? 0;
  return { inputTokens: call.inputBytes, outputTokens: output, costMicroUSD: price ? costOf(price, call.inputBytes, output) : 0 };
}

type Step = { refusal: Refusal } | { hold: Hold } | { failedOpen: true } | null;

async function checkSlots(l: CompiledLimit, store: LimitStore, call: CallFacts, stores: LimitStores): Promise<Step> {
  if (l.inFlight === undefined) return null;
  const got = await store.acquire(`${l.key}:f`, call.requestId, l.inFlight, call.nowMs, stores.leaseMs);
  if (got.ok) return { hold: { limit: l, store, slot: undefined, ask: undefined } };
  return {
    refusal: {
      code: 'CONCURRENCY_LIMITED',
      message: `limit "${l.name}" of EgressPolicy ${l.policy} allows ${l.inFlight} calls in flight (${l.scope} scope) and ${got.inFlight} are; retry when one finishes`,
      policy: l.policy,
      limit: l.name,
      retryAfterSeconds: 1,
    },
  };
}

async function checkRate(l: CompiledLimit, store: LimitStore, call: CallFacts): Promise<Step> {
  if (!l.requests) return null;
  const took = await store.take(`${l.key}:r`, l.requests, call.nowMs);
  if (took.allowed) return null;
  const perSecond = l.requests.ratePerSecond;
  return {
    refusal: {
      code: 'RATE_LIMITED',
      message: `rate limit "${l.name}" of EgressPolicy ${l.policy} allows ${perSecond < 1 ? `${Math.round(perSecond * 60 * 1000) / 1000} requests per minute` : `${Math.round(perSecond * 1000) / 1000} requests per second`} (burst ${l.requests.burst}, ${l.scope} scope); retry after ${Math.ceil(took.retryAfterMs / 1000)} s`,
      policy: l.policy,
      limit: l.name,
      retryAfterSeconds: Math.max(1, Math.ceil(took.retryAfterMs / 1000)),
    },
  };
}

async function checkBudget(l: CompiledLimit, store: LimitStore, call: CallFacts, price: ModelPrice | undefined, leaseMs: number): Promise<Step> {
  const b = l.budget;
  if (!b) return null;
  if (b.limits.costMicroUSD !== undefined && !price) {
    return {
      refusal: {
        code: 'BUDGET_PRICE_UNKNOWN',
        message: `budget "${l.name}" of EgressPolicy ${l.policy} limits cost, and ${call.model === undefined ? 'this call names no model' : `model "${call.model}" has no price`}; add it to spec.prices of the policy`,
        policy: l.policy,
        limit: l.name,
        retryAfterSeconds: undefined,
      },
    };
  }
  const ask = askOf(l, call, price);
  const slot = windowSlot(b.window, call.nowMs);
  const result = await store.reserve(`${l.key}:b`, slot.id, call.requestId, b.limits, ask, call.nowMs, leaseMs, slot.endsAtMs);
  if (result.ok) return { hold: { limit: l, store, slot: slot.id, ask } };
  const untilWindowEnds = slot.endsAtMs === undefined ? undefined : Math.ceil((slot.endsAtMs - call.nowMs) / 1000);
  return {
    refusal: {
      code: 'BUDGET_EXHAUSTED',
      message: budgetMessage(l, result),
      policy: l.policy,
      limit: l.name,
      retryAfterSeconds: result.why === 'busy' ? 1 : result.why === 'tooLarge' ? undefined : untilWindowEnds,
    },
  };
}

async function step(l: CompiledLimit, stores: LimitStores, call: CallFacts, price: ModelPrice | undefined, check: 'slots' | 'rate' | 'budget'): Promise<Step> {
  const applies = check === 'slots' ? l.inFlight !== undefined : check === 'rate' ? l.requests !== undefined : l.budget !== undefined;
  if (!applies) return null;
  const store = storeFor(l, stores);
  const failsOpen = l.failOpen && check !== 'budget';
  if (!store) return failsOpen ? { failedOpen: true } : { refusal: storeDown(l, undefined) };
  try {
    if (check === 'slots') return await checkSlots(l, store, call, stores);
    if (check === 'rate') return await checkRate(l, store, call);
    return await checkBudget(l, store, call, price, stores.leaseMs);
  } catch (err) {
    return failsOpen ? { failedOpen: true } : { refusal: storeDown(l, err) };
  }
}

/**
 * Checks every limit that applies to the call, in order: in-flight slots, then rate, then budgets
 * (reserved). The first refusal gives back what the earlier limits granted (slots and reservations; a
 * rate token already taken stays taken). On success the grant must be finished exactly once.
 */
export async function admitCall(limits: WorkloadLimits, call: CallFacts, stores: LimitStores): Promise<Admission> {
  const list = limits.forSource(call.source);
  const price = call.model === undefined ? undefined : limits.prices.lookup(call.model);
  const grant: Grant = { holds: [], failedOpen: [], price };
  for (const check of ['slots', 'rate', 'budget'] as const) {
    for (const l of list) {
      const s = await step(l, stores, call, price, check);
      if (s === null) continue;
      if ('refusal' in s) {
        await finishCall(grant, call.requestId, undefined).catch(() => undefined);
        return { ok: false, refusal: s.refusal };
      }
      if ('failedOpen' in s) grant.failedOpen.push(`${l.policy}/${l.name}`);
      else grant.holds.push(s.hold);
    }
  }
  return { ok: true, grant };
}

/** Usage a response reported (tokens; the model if it said). */
export interface ReportedUsage {
  readonly model: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface BudgetOutcome {
  readonly policy: string;
  readonly limit: string;
  readonly charged: Amount;
  readonly remaining: Partial<Record<BudgetDimension, number>>;
}

/**
 * Ends a granted call: frees its slots and settles each reservation — with `usage` when the response
 * reported it, with nothing when `usage` is undefined and the call never reached the provider
 * (`charge: 'none'`), and with the full reservation when the provider was reached but reported no
 * usage (`charge: 'reserved'`: an interrupted stream is charged its worst case).
 */
export async function finishCall(grant: Grant, requestId: string, usage: ReportedUsage | undefined, charge: 'none' | 'reserved' = 'none', prices?: WorkloadLimits['prices']): Promise<BudgetOutcome[]> {
  const out: BudgetOutcome[] = [];
  const errors: unknown[] = [];
  for (const h of grant.holds) {
    try {
      if (h.ask === undefined) {
        await h.store.releaseSlot(`${h.limit.key}:f`, requestId);
        continue;
      }
      const price = (usage?.model !== undefined ? prices?.lookup(usage.model) : undefined) ?? grant.price;
      const actual = usage ? priced(price, usage.inputTokens, usage.outputTokens) : charge === 'reserved' ? h.ask : ZERO;
      const state: BudgetState = await h.store.settle(`${h.limit.key}:b`, h.slot ?? 'run', requestId, h.ask, actual);
      out.push({ policy: h.limit.policy, limit: h.limit.name, charged: actual, remaining: h.limit.budget ? remainingOf(h.limit.budget.limits, state) : {} });
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new PortcullisError('LIMIT_STORE_UNAVAILABLE', `settling ${errors.length} budget or slot hold(s) failed; they lapse after their lease`, { cause: errors[0] });
  return out;
}
