import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { SidecarOptions } from '../config/options.js';
import type { Clock } from '../io/clock.js';
import type { LimitDeps } from '../limits/gate.js';
import type { SidecarMetrics } from '../metrics.js';
import { createHandler } from '../proxy/handler.js';
import { PortListeners, type Handler } from '../proxy/listeners.js';
import type { SidecarState } from '../store/state.js';
import type { Mode } from './mode.js';

type ListenerDeps = { audit: AuditLog; metrics: SidecarMetrics; log: Logger; clock: Clock; limits: LimitDeps };

/** The request handler of each source port (also used for the requests proxy mode decrypts for that source). */
export function sourceHandlers(options: SidecarOptions, state: SidecarState, mode: Mode, deps: ListenerDeps): (port: number) => Handler {
  return (port) =>
      createHandler(port, {
        identity: () => mode.identity(),
        identityProblem: () => mode.identityProblem(),
        state: () => state.snapshot(),
        audit: deps.audit,
        metrics: deps.metrics,
        log: deps.log,
        requestId: randomUUID,
        responseTimeoutMs: options.upstreamResponseTimeoutMs,
        now: deps.clock.now,
        limits: deps.limits,
        podSuspension: () => mode.podSuspension(),
      });
}

/** One loopback listener per source port, each serving the request path against the current state. */
export function createProxyListeners(state: SidecarState, handlers: (port: number) => Handler, options: SidecarOptions, log: Logger): PortListeners {
  const listeners = new PortListeners(handlers, options.listenAddresses, log);
  state.onPorts((ports) => void listeners.reconcile(ports));
  return listeners;
}
