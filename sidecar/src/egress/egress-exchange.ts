import { PortcullisError, type HostDecision, type HostRules } from '@portcullis/shared';
import type { Server } from 'node:http';
import type { AuditLog } from '../audit/audit-log.js';
import { decisionOf, workloadOf, type AuditRecord } from '../audit/record.js';
import type { Identity } from '../deps.js';
import type { ProxyState } from '../sources/proxy-state.js';
import type { AddressGuard } from './address-guard.js';
import type { EgressMetrics } from './metrics.js';
import type { PodCa } from './mitm/pod-ca.js';
import type { Lookup } from './resolve-target.js';

/** What the HTTPS_PROXY port needs; the proxy listeners' deps plus DNS and the address guard. */
export interface EgressDeps {
  readonly identity: () => Identity | undefined;
  readonly identityProblem: () => string | undefined;
  readonly state: () => ProxyState;
  /** Why this pod is suspended (its portcullis.dev/suspend label or annotation); undefined when it is not. */
  readonly podSuspension: () => string | undefined;
  readonly lookup: Lookup;
  readonly guard: AddressGuard;
  readonly audit: AuditLog;
  readonly metrics: EgressMetrics;
  readonly requestId: () => string;
  readonly now: () => Date;
  /** How long opening the connection to the host may take. */
  readonly connectTimeoutMs: number;
  /** Proxy mode for hosts sources serve: the pod CA and the request server of each source port. */
  readonly mitm?: {
    readonly ca: PodCa;
    serverFor(port: number): Server;
  };
}

/** One tunnel or absolute-form request to a host without a source, for its audit line. */
export interface EgressExchange {
  readonly id: string;
  readonly started: number;
  readonly time: Date;
  readonly identity: Identity | undefined;
  readonly kind: 'tunnel' | 'http';
  method: string;
  host: string | null;
  port: number | null;
  path: string;
  /** The address connected to: the one that was checked. */
  address: string | null;
  decision: HostDecision | undefined;
  /** True once the connection to the host is open: a rule may allow what the guard or DNS then refuses. */
  forwarded: boolean;
  error: PortcullisError | undefined;
  status: number;
  bytesIn: number;
  bytesOut: number;
  upstreamMs: number | undefined;
}

export function newEgressExchange(deps: EgressDeps, kind: 'tunnel' | 'http', method: string): EgressExchange {
  return {
    id: deps.requestId(),
    started: performance.now(),
    time: deps.now(),
    identity: deps.identity(),
    kind,
    method,
    host: null,
    port: null,
    path: '',
    address: null,
    decision: undefined,
    forwarded: false,
    error: undefined,
    status: 0,
    bytesIn: 0,
    bytesOut: 0,
    upstreamMs: undefined,
  };
}

/** Identity, policies and the kill switch, as on a source port; returns the egress rules in force. */
export function admitEgress(x: EgressExchange, deps: EgressDeps): HostRules {
  if (!x.identity) {
    throw new PortcullisError('IDENTITY_UNAVAILABLE', `the sidecar has no verified workload identity (${deps.identityProblem() ?? 'unknown'}); every request is refused until TokenReview succeeds`);
  }
  const state = deps.state();
  if (!state.synced) throw new PortcullisError('POLICY_NOT_SYNCED', 'EgressPolicies and CredentialSources are not loaded yet; retry in a moment');
  const why = deps.podSuspension() ?? (state.limits.suspendedBy === undefined ? undefined : `EgressPolicy ${state.limits.suspendedBy} has spec.suspend: true`);
  if (why !== undefined) throw new PortcullisError('SUSPENDED', `Portcullis suspended every call of this pod: ${why}; calls resume when the suspension is removed`);
  return state.hosts;
}

/** EGRESS_DENIED naming the host, port and why, for a decision that does not forward. */
export function egressDenied(x: EgressExchange, d: HostDecision): PortcullisError {
  const where = d.policy ? `EgressPolicy ${d.policy}` : 'no EgressPolicy';
  const why =
    d.reason === 'denied by rule' ? `denied by egress rule "${d.rule ?? ''}" of ${where}`
    : d.reason === 'no rule allows it' ? `no egress rule of ${where} allows it`
    : 'no EgressPolicy selecting this workload has egress rules (default deny)';
  return new PortcullisError('EGRESS_DENIED', `Portcullis refused ${x.kind === 'tunnel' ? 'a tunnel' : 'a request'} to ${x.host ?? ''}:${x.port ?? ''}: ${why}; add an Allow rule for this host and port to spec.egress of an EgressPolicy that selects this workload`);
}

const DECISION_LABELS: Readonly<Record<string, string>> = { EGRESS_ADDRESS_BLOCKED: 'blocked', EGRESS_DENIED: 'deny' };

/** The bounded `decision` label of the egress metric. */
function decisionLabel(x: EgressExchange): string {
  if (x.error) return DECISION_LABELS[x.error.code] ?? 'error';
  if (!x.decision) return 'error';
  return x.decision.effect === 'Deny' ? 'audit_deny' : 'allow';
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * The audit line's decision: the host rules' verdict, but `forwarded` says whether the connection to the
 * host was opened. A rule that allows the host does not make a tunnel the address guard refused (or that
 * DNS, the host or the app ended first) a forwarded one; the reason then says why it was not.
 */
function egressDecision(x: EgressExchange): AuditRecord['decision'] {
  const decision = decisionOf(x.decision, x.error?.code ?? 'no decision');
  if (!x.decision?.forward || x.forwarded) return decision;
  const why = x.error ? `${x.error.code}: ${x.error.message}` : 'the app closed the connection before the host was reached';
  return { ...decision, forwarded: false, reason: `${decision.reason}, not forwarded (${why})` };
}

/** Writes the audit line and counts the exchange; called once when both sides are closed. */
export function recordEgress(x: EgressExchange, audit: AuditLog, metrics: EgressMetrics): void {
  metrics.tunnels.inc({ kind: x.kind, decision: decisionLabel(x) });
  if (x.bytesIn > 0) metrics.bytes.inc({ direction: 'in' }, x.bytesIn);
  if (x.bytesOut > 0) metrics.bytes.inc({ direction: 'out' }, x.bytesOut);
  const rec: AuditRecord = {
    kind: 'audit',
    time: x.time.toISOString(),
    requestId: x.id,
    workload: workloadOf(x.identity),
    source: null,
    method: x.method,
    host: x.host,
    path: x.path,
    query: '',
    decision: egressDecision(x),
    egress: { kind: x.kind, port: x.port, address: x.address },
    status: x.status,
    error: x.error?.code ?? null,
    bytesIn: x.bytesIn,
    bytesOut: x.bytesOut,
    durationMs: round3(performance.now() - x.started),
    upstreamMs: x.upstreamMs === undefined ? null : round3(x.upstreamMs),
  };
  audit.record(rec);
}
