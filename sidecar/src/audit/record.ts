import type { Decision, Identity } from '../deps.js';
import type { LimitAudit } from '../limits/call-meter.js';

/** Who ended a WebSocket tunnel: either peer (a close, reset or error on its connection), the idle timeout, a revocation, the sidecar stopping. */
export type TunnelEnd = 'app' | 'upstream' | 'idle' | 'revoked' | 'shutdown';

/** One line of the audit log, `kind: "audit"` tells it from operational logs. Never holds a secret. */
export interface AuditRecord {
  readonly kind: 'audit';
  readonly time: string;
  readonly requestId: string;
  readonly workload: {
    readonly namespace: string;
    readonly serviceAccount: string;
    readonly pod: string;
    readonly podUID: string;
  } | null;
  readonly source: string | null;
  readonly method: string;
  readonly host: string | null;
  /** The normalized path (the one authorized and forwarded) and the redacted query. */
  readonly path: string;
  readonly query: string;
  readonly decision: {
    readonly effect: 'Allow' | 'Deny' | null;
    readonly mode: 'Enforce' | 'Audit' | null;
    readonly forwarded: boolean;
    readonly policy: string | null;
    readonly rule: string | null;
    readonly reason: string;
  };
  readonly aws?: Readonly<Record<string, unknown>>;
  /**
   * HTTPS_PROXY port, hosts without a source: a CONNECT tunnel (`tunnel`: the sidecar saw only host and
   * port; bytes are what went through) or an absolute-form http:// request (`http`), and the address
   * connected to (the one the guard checked; null when refused before).
   */
  readonly egress?: { readonly kind: 'tunnel' | 'http'; readonly port: number | null; readonly address: string | null };
  /** Calls limits applied to: usage reported, what each budget was charged and has left. */
  readonly limits?: LimitAudit;
  /**
   * A WebSocket tunnel's line, written when it closes: who ended it, the close frame's status code (the
   * first either peer sent, or the one the sidecar sent when it cut the tunnel; null: the connection just
   * dropped) and why. status is 101, the bytes are what crossed the tunnel each way and durationMs runs
   * from the upgrade request to the close.
   */
  readonly websocket?: { readonly closedBy: TunnelEnd; readonly closeCode: number | null; readonly reason: string };
  readonly status: number;
  readonly error: string | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
  readonly upstreamMs: number | null;
}

export function workloadOf(identity: Identity | undefined): AuditRecord['workload'] {
  if (!identity) return null;
  return {
    namespace: identity.namespace,
    serviceAccount: identity.serviceAccount,
    pod: identity.podName,
    podUID: identity.podUID,
  };
}

export function decisionOf(decision: Decision | undefined, fallbackReason: string): AuditRecord['decision'] {
  if (!decision) {
    return { effect: null, mode: null, forwarded: false, policy: null, rule: null, reason: fallbackReason };
  }
  return {
    effect: decision.effect,
    mode: decision.mode,
    forwarded: decision.forward,
    policy: decision.policy ?? null,
    rule: decision.rule ?? null,
    reason: decision.reason,
  };
}
