import type { IncomingMessage } from 'node:http';
import { admitCall, requestFacts, type Grant, type LimitStores, type Refusal, type WorkloadLimits } from '@portcullis/shared';
import { LimitError } from './limit-error.js';
import type { LimitMetrics } from './metrics.js';
import { BUDGETED_BODY_MAX_BYTES, readBody } from './read-body.js';

/** What the limit gate needs besides the call: the counter stores, metrics and the clock. */
export interface LimitDeps {
  readonly stores: LimitStores;
  readonly metrics: LimitMetrics;
  readonly nowMs: () => number;
}

export interface GatedCall {
  readonly grant: Grant;
  /** The request body, when the gate had to read it (budgeted http calls); forwarded from this buffer. */
  readonly body: Buffer | undefined;
  /** Whether the response is metered for usage (a budget applies). */
  readonly metered: boolean;
}

function refusalError(r: Refusal): LimitError {
  // A spent budget or an unpriced model does not heal by retrying soon; the rest do.
  const shouldRetry = r.code !== 'BUDGET_PRICE_UNKNOWN' && !(r.code === 'BUDGET_EXHAUSTED' && r.retryAfterSeconds !== 1);
  return new LimitError(r.code, r.message, r.retryAfterSeconds, shouldRetry);
}

const RESULT_OF: Record<Refusal['code'], string> = {
  RATE_LIMITED: 'rate_limited',
  CONCURRENCY_LIMITED: 'concurrency_limited',
  BUDGET_EXHAUSTED: 'budget_exhausted',
  BUDGET_PRICE_UNKNOWN: 'price_unknown',
  LIMIT_STORE_UNAVAILABLE: 'store_unavailable',
};

/**
 * Checks the limits that apply to a call through `source` (undefined when none do, at no cost).
 * A budgeted call through an http source has its body read first (bounded), for the model and
 * max_tokens its reservation is sized from. Refusals throw a LimitError.
 */
export async function gateCall(limits: WorkloadLimits, source: string, readsBody: boolean, req: IncomingMessage, requestId: string, deps: LimitDeps): Promise<GatedCall | undefined> {
  const list = limits.forSource(source);
  if (list.length === 0) return undefined;
  const budgeted = list.some((l) => l.budget !== undefined);
  const body = budgeted && readsBody ? await readBody(req, BUDGETED_BODY_MAX_BYTES) : undefined;
  const facts = body ? requestFacts(body) : { model: undefined, maxOutputTokens: undefined };
  const declared = Number(req.headers['content-length'] ?? 0);
  const admission = await admitCall(
    limits,
    {
      source,
      requestId,
      nowMs: deps.nowMs(),
      model: facts.model,
      inputBytes: body ? body.length : Number.isFinite(declared) ? declared : 0,
      maxOutputTokens: facts.maxOutputTokens,
    },
    deps.stores,
  );
  if (!admission.ok) {
    deps.metrics.decisions.inc({ source, result: RESULT_OF[admission.refusal.code] });
    throw refusalError(admission.refusal);
  }
  deps.metrics.decisions.inc({ source, result: admission.grant.failedOpen.length > 0 ? 'failed_open' : 'allowed' });
  return { grant: admission.grant, body, metered: budgeted };
}
