import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { SidecarOptions } from '../config/options.js';
import type { Clock } from '../io/clock.js';
import type { SidecarMetrics } from '../metrics.js';
import { createHandler } from '../proxy/handler.js';
import { PortListeners } from '../proxy/listeners.js';
import type { SidecarState } from '../store/state.js';
import type { Mode } from './mode.js';

/** One loopback listener per source port, each serving the request path against the current state. */
export function createProxyListeners(
  options: SidecarOptions,
  state: SidecarState,
  mode: Mode,
  deps: { audit: AuditLog; metrics: SidecarMetrics; log: Logger; clock: Clock },
): PortListeners {
  const listeners = new PortListeners(
    (port) =>
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
      }),
    options.listenAddresses,
    deps.log,
  );
  state.onPorts((ports) => void listeners.reconcile(ports));
  return listeners;
}
