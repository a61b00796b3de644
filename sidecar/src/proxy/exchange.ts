import type { IncomingMessage } from 'node:http';
import { splitTarget, type PortcullisError } from '@portcullis/shared';
import { decisionOf, workloadOf, type AuditRecord } from '../audit/record.js';
import type { Decision, Identity } from '../deps.js';
import type { CallMeter, LimitAudit } from '../limits/call-meter.js';
import type { Classified, SourceRuntime } from '../sources/runtime.js';

/** Everything one request collects on its way through the pipeline, for the audit line and metrics. */
export interface Exchange {
  readonly id: string;
  readonly started: number;
  readonly time: Date;
  readonly identity: Identity | undefined;
  source: SourceRuntime | undefined;
  classified: Classified | undefined;
  decision: Decision | undefined;
  error: PortcullisError | undefined;
  upstreamMs: number | undefined;
  bytesIn: number;
  bytesOut: number;
  /** Set when limits granted the call: meters the response and settles budgets when it ends. */
  meter: CallMeter | undefined;
  /** What the limits charged and left, once settled. */
  limits: LimitAudit | undefined;
  /** The call went to forward (the provider may have charged for it). */
  sent: boolean;
}

/** A fresh exchange for a request that just arrived: its id, clocks and the identity it runs as. */
export function newExchange(deps: { readonly requestId: () => string; readonly now: () => Date; readonly identity: () => Identity | undefined }): Exchange {
  return {
    id: deps.requestId(),
    started: performance.now(),
    time: deps.now(),
    identity: deps.identity(),
    source: undefined,
    classified: undefined,
    decision: undefined,
    error: undefined,
    upstreamMs: undefined,
    bytesIn: 0,
    bytesOut: 0,
    meter: undefined,
    limits: undefined,
    sent: false,
  };
}

export type DecisionLabel = 'allow' | 'deny' | 'audit_deny' | 'limited' | 'suspended' | 'error';

const LIMIT_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'CONCURRENCY_LIMITED', 'BUDGET_EXHAUSTED', 'BUDGET_PRICE_UNKNOWN', 'LIMIT_STORE_UNAVAILABLE']);

/** The bounded `decision` label of the requests metric. */
export function decisionLabel(x: Exchange): DecisionLabel {
  const code = x.error?.code;
  if (code === 'SUSPENDED') return 'suspended';
  if (code !== undefined && LIMIT_CODES.has(code)) return 'limited';
  const d = x.decision;
  if (!d) return 'error';
  if (!d.forward) return 'deny';
  return d.effect === 'Deny' ? 'audit_deny' : 'allow';
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

function auditPath(x: Exchange, req: IncomingMessage): string {
  if (x.classified) return x.classified.path;
  // Not classified: the raw path would be unvetted input; a rejected one is not repeated at all.
  return x.error?.code === 'PATH_REJECTED' ? '(rejected)' : splitTarget(req.url ?? '').path.slice(0, 256);
}

/** Where the call went: the provider's per-request host (AWS), else the source's upstream. */
function auditHost(x: Exchange): string | null {
  return x.classified?.upstreamHost ?? x.source?.upstream.host ?? null;
}

/** The audit line of a finished exchange. */
export function auditRecordOf(x: Exchange, req: IncomingMessage, status: number, durationMs: number): AuditRecord {
  return {
    kind: 'audit',
    time: x.time.toISOString(),
    requestId: x.id,
    workload: workloadOf(x.identity),
    source: x.source?.name ?? null,
    method: req.method ?? '',
    host: auditHost(x),
    path: auditPath(x, req),
    query: x.classified?.auditQuery ?? '',
    decision: decisionOf(x.decision, x.error?.code ?? 'no decision'),
    ...(x.classified?.audit ? { aws: x.classified.audit } : {}),
    ...(x.limits ? { limits: x.limits } : {}),
    status,
    error: x.error?.code ?? null,
    bytesIn: x.bytesIn,
    bytesOut: x.bytesOut,
    durationMs: round3(durationMs),
    upstreamMs: x.upstreamMs === undefined ? null : round3(x.upstreamMs),
  };
}
