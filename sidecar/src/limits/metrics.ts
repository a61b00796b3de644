import { Counter, Gauge, type Registry } from '../prom-client-lean.js';

/** Metrics of limits, budgets and the kill switch. Labels: sources, policies and limits of the namespace, fixed enums. */
export interface LimitMetrics {
  readonly decisions: Counter<'source' | 'result'>;
  readonly tokens: Counter<'source' | 'direction'>;
  readonly costMicroUSD: Counter<'source'>;
  readonly budgetRemaining: Gauge<'policy' | 'limit' | 'dimension'>;
  readonly storeErrors: Counter<'operation'>;
  readonly suspended: Gauge;
}

export function createLimitMetrics(registry: Registry): LimitMetrics {
  const registers = [registry];
  return {
    decisions: new Counter({
      name: 'portcullis_sidecar_limit_decisions_total',
      help: 'Limit checks by source and result (allowed, failed_open, rate_limited, concurrency_limited, budget_exhausted, price_unknown, store_unavailable, suspended)',
      labelNames: ['source', 'result'],
      registers,
    }),
    tokens: new Counter({
      name: 'portcullis_sidecar_tokens_total',
      help: 'Tokens the provider reported in responses to budgeted calls, by source and direction (input, output)',
      labelNames: ['source', 'direction'],
      registers,
    }),
    costMicroUSD: new Counter({
      name: 'portcullis_sidecar_cost_microusd_total',
      help: 'Cost charged to budgets from reported usage and model prices, in micro-USD, by source',
      labelNames: ['source'],
      registers,
    }),
    budgetRemaining: new Gauge({
      name: 'portcullis_sidecar_budget_remaining',
      help: 'What a budget has left in its current window after the last call this sidecar settled, by policy, limit and dimension (inputTokens, outputTokens, tokens, costMicroUSD)',
      labelNames: ['policy', 'limit', 'dimension'],
      registers,
    }),
    storeErrors: new Counter({
      name: 'portcullis_sidecar_limit_store_errors_total',
      help: 'Failed operations on the shared limit store (Redis), by operation (check, settle)',
      labelNames: ['operation'],
      registers,
    }),
    suspended: new Gauge({
      name: 'portcullis_sidecar_suspended',
      help: '1 while the pod is suspended by its portcullis.dev/suspend label or annotation, else 0',
      registers,
    }),
  };
}
