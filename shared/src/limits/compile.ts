import type { EgressPolicy, EgressPolicyLimit, ModelPriceSpec } from '../crd/index.js';
import type { Valid } from '../crd/validate/valid.js';
import { selects } from '../policy/compile.js';
import type { Workload } from '../policy/types.js';
import type { BudgetLimits } from './budget.js';
import { limitKey, type LimitScope } from './keys.js';
import { parseUSD, priceTable, type ModelPrice, type PriceTable } from './prices.js';
import { bucketSpec, type BucketSpec } from './token-bucket.js';
import type { BudgetWindow } from './window.js';

export interface CompiledBudget {
  readonly window: BudgetWindow;
  readonly limits: BudgetLimits;
  readonly maxOutputTokensPerCall: number;
}

/** One limit of one policy, for one workload: its counter key is fixed at compile time. */
export interface CompiledLimit {
  readonly policy: string;
  readonly name: string;
  readonly source: string;
  readonly scope: LimitScope;
  /** Counter key (see keys.ts); the store adds what it counts (rate, in-flight, budget window). */
  readonly key: string;
  /** Pod scope lives in memory; wider scopes in the shared store (Redis). */
  readonly shared: boolean;
  readonly requests: BucketSpec | undefined;
  readonly inFlight: number | undefined;
  readonly budget: CompiledBudget | undefined;
  /** requests and inFlight let calls through when the shared store is down (budgets never do). */
  readonly failOpen: boolean;
}

/** The limits and kill switches that apply to one workload, compiled on every policy change. */
export interface WorkloadLimits {
  /** namespace/name of the first Enforce or Audit policy selecting the workload with spec.suspend. */
  readonly suspendedBy: string | undefined;
  /** Limits whose source is `source` or "*", in policy then limit order. */
  forSource(source: string): readonly CompiledLimit[];
  readonly prices: PriceTable;
  /** True when any limit has a budget (the response then needs a usage parser). */
  readonly anyBudget: boolean;
}

function compileBudget(limit: EgressPolicyLimit): CompiledBudget | undefined {
  const b = limit.budget;
  if (!b) return undefined;
  return {
    window: b.window ?? 'Day',
    limits: {
      inputTokens: b.inputTokens,
      outputTokens: b.outputTokens,
      tokens: b.tokens,
      costMicroUSD: b.costUSD === undefined ? undefined : parseUSD(b.costUSD),
    },
    maxOutputTokensPerCall: b.maxOutputTokensPerCall ?? 4096,
  };
}

function compileLimit(policy: string, limit: EgressPolicyLimit, workload: Workload): CompiledLimit {
  const scope = limit.scope ?? 'Pod';
  return {
    policy,
    name: limit.name,
    source: limit.source ?? '*',
    scope,
    key: limitKey(policy, limit.name, scope, workload),
    shared: scope !== 'Pod',
    requests: limit.requests ? bucketSpec(limit.requests.count, limit.requests.periodSeconds ?? 1, limit.requests.burst) : undefined,
    inFlight: limit.inFlight,
    budget: compileBudget(limit),
    failOpen: limit.onStoreUnavailable === 'Allow',
  };
}

function addPrices(into: ModelPrice[], list: readonly ModelPriceSpec[] | undefined): void {
  for (const p of list ?? []) {
    if (into.some((q) => q.model === p.model)) continue;
    into.push({ model: p.model, inputUSDPerMillionTokens: Number(p.inputUSDPerMillionTokens), outputUSDPerMillionTokens: Number(p.outputUSDPerMillionTokens) });
  }
}

const NONE: readonly CompiledLimit[] = Object.freeze([]);

/**
 * The limits of the Enforce policies that select the workload, and whether any selecting policy is
 * suspended. Policies are taken in name order (like the rules) so audit lines are stable; prices are
 * merged in the same order (the first policy naming a model wins) over the default table.
 */
export function compileLimits(policies: readonly Valid<EgressPolicy>[], workload: Workload): WorkloadLimits {
  const sorted = [...policies].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const limits: CompiledLimit[] = [];
  const prices: ModelPrice[] = [];
  let suspendedBy: string | undefined;
  for (const policy of sorted) {
    if (!selects(policy, workload)) continue;
    const name = `${policy.metadata.namespace ?? workload.namespace}/${policy.metadata.name ?? ''}`;
    if (policy.spec.suspend === true) suspendedBy ??= name;
    addPrices(prices, policy.spec.prices);
    if (policy.spec.mode === 'Audit') continue;
    for (const limit of policy.spec.limits ?? []) limits.push(compileLimit(name, limit, workload));
  }
  const bySource = new Map<string, readonly CompiledLimit[]>();
  const wildcard = limits.filter((l) => l.source === '*');
  for (const l of limits) {
    if (l.source !== '*' && !bySource.has(l.source)) bySource.set(l.source, limits.filter((m) => m.source === '*' || m.source === l.source));
  }
  return {
    suspendedBy,
    forSource: (source) => bySource.get(source) ?? (wildcard.length > 0 ? wildcard : NONE),
    prices: priceTable(prices),
    anyBudget: limits.some((l) => l.budget !== undefined),
  };
}

export const NO_LIMITS: WorkloadLimits = compileLimits([], { namespace: '', serviceAccount: '', podName: '', podUID: '', labels: {} });
