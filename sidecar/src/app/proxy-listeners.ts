import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { SidecarOptions } from '../config/options.js';
import type { Clock } from '../io/clock.js';
import type { LimitDeps } from '../limits/gate.js';
import type { SidecarMetrics } from '../metrics.js';
import { createHandler, type HandlerDeps } from '../proxy/handler.js';
import { PortListeners, type Handler } from '../proxy/listeners.js';
import type { SidecarState } from '../store/state.js';
import { OpenTunnels } from '../websocket/open-tunnels.js';
import { createUpgradeHandler } from '../websocket/upgrade-handler.js';
import type { Mode } from './mode.js';

/**
 * How often open WebSocket tunnels are checked against the current identity, suspensions and policies:
 * a revocation cuts them within this interval of reaching the sidecar (the promise is one second).
 */
const TUNNEL_CHECK_INTERVAL_MS = 200;

type ListenerDeps = { audit: AuditLog; metrics: SidecarMetrics; log: Logger; clock: Clock; limits: LimitDeps };

function handlerDepsOf(options: SidecarOptions, state: SidecarState, mode: Mode, deps: ListenerDeps): HandlerDeps {
  return {
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
  };
}

/** The request handler of each source port, for the requests proxy mode decrypts for that source. */
export function sourceHandlers(options: SidecarOptions, state: SidecarState, mode: Mode, deps: ListenerDeps): (port: number) => Handler {
  const handlerDeps = handlerDepsOf(options, state, mode, deps);
  return (port) => createHandler(port, handlerDeps);
}

/** One loopback listener per source port, each serving the request path against the current state. */
export function createProxyListeners(options: SidecarOptions, state: SidecarState, mode: Mode, deps: ListenerDeps): PortListeners {
  const handlerDeps = handlerDepsOf(options, state, mode, deps);
  const tunnels = new OpenTunnels(TUNNEL_CHECK_INTERVAL_MS);
  const upgradeDeps = { ...handlerDeps, tunnels, idleTimeoutMs: options.websocketIdleTimeoutMs };
  const listeners = new PortListeners((port) => createHandler(port, handlerDeps), options.listenAddresses, deps.log, {
    makeListener: (port) => createUpgradeHandler(port, upgradeDeps),
    stop: (reason) => tunnels.stop(reason),
  });
  state.onPorts((ports) => void listeners.reconcile(ports));
  return listeners;
}
