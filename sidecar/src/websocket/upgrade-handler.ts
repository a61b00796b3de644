import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decide, httpStatusOf, PortcullisError, splitTarget, type WorkloadLimits } from '@portcullis/shared';
import { forwardResponseHeaders } from '../http/headers.js';
import { REQUEST_ID_HEADER, writeJsonError } from '../http/json-error.js';
import { CallMeter } from '../limits/call-meter.js';
import { gateCall } from '../limits/gate.js';
import { setRetryHeaders } from '../limits/limit-error.js';
import { statusClass } from '../metrics.js';
import { denialError } from '../proxy/denial.js';
import { auditRecordOf, decisionLabel, newExchange, type Exchange } from '../proxy/exchange.js';
import { setFraming, NO_BODY } from '../proxy/framing.js';
import { admit, toPortcullisError, type HandlerDeps } from '../proxy/handler.js';
import type { Classified, SourceRuntime } from '../sources/runtime.js';
import type { AuditRecord } from '../audit/record.js';
import type { TunnelMetrics } from './metrics.js';
import type { OpenTunnels } from './open-tunnels.js';
import { revocationOf, type TunnelGrant } from './revocation.js';
import { responseHead, SocketAnswer } from './socket-answer.js';
import { Tunnel, type Cut, type TunnelClose } from './tunnel.js';
import { checkUpgradeRequest, upstreamAgreed } from './upgrade-request.js';
import { sendUpgrade, type UpstreamAnswer } from './upstream-upgrade.js';

export interface UpgradeDeps extends HandlerDeps {
  readonly tunnels: OpenTunnels;
  /** --websocket-idle-timeout-seconds, in ms. */
  readonly idleTimeoutMs: number;
  readonly tunnelMetrics: TunnelMetrics;
}

/** After one side of a tunnel closed, how long the other may flush before it is destroyed. */
const DRAIN_MS = 5_000;

type Phase = 'handshake' | 'tunnel' | 'done';

/**
 * One upgrade request, from the app's head to the tunnel's close: the request path's checks (identity,
 * source, suspension, framing), the WebSocket handshake checks, policy on `GET <path>` like any request,
 * limits (the upgrade is one call; an in-flight slot is held while the tunnel is open), the credential
 * injected into the upgrade request, then the tunnel. A refusal answers in the source's error shape and
 * opens no upstream connection. One audit line: at the refusal, at the upstream's non-101 answer, or
 * when the tunnel closes (bytes each way, who closed it and why).
 */
class UpgradeExchange {
  private readonly x: Exchange;
  private phase: Phase = 'handshake';
  private upstreamRequest: ClientRequest | undefined;
  private status = 0;
  /** Limits are being checked: their answer, not appLeft(), settles the exchange. */
  private gating = false;
  private recorded = false;
  private websocket: NonNullable<AuditRecord['websocket']> | undefined;

  constructor(
    private readonly port: number,
    private readonly deps: UpgradeDeps,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
  ) {
    this.x = newExchange(deps);
  }

  run(): void {
    const { x, req, deps } = this;
    // Until the tunnel owns the socket: an app that goes away ends the exchange (and its upstream request).
    this.socket.on('error', () => this.socket.destroy());
    this.socket.once('close', () => this.appLeft());
    try {
      const { source, state } = admit(x, req, this.port, deps);
      const refused = checkUpgradeRequest(req.method ?? '', req.headers);
      if (refused) throw refused;
      if (source.websocket !== true) {
        throw new PortcullisError(
          'WEBSOCKET_NOT_SUPPORTED',
          `source "${source.name}" signs AWS requests with SigV4, which the sidecar does not do for WebSocket upgrades; call this API over HTTP, or use an http source for a WebSocket API`,
        );
      }
      const { path, query } = splitTarget(req.url ?? '/');
      const classified = source.classify(req, path, query);
      if (classified instanceof Promise) throw new PortcullisError('INTERNAL', `source "${source.name}" classifies asynchronously, which upgrades do not support`);
      x.classified = classified;
      const method = req.method ?? '';
      x.decision = decide(state.rules, { source: source.name, method, path: classified.path, items: classified.items });
      if (!x.decision.forward) throw denialError(method, classified.path, x.decision, source.name);
      this.gate(source, state.limits, classified, query);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Rate and in-flight limits count the upgrade as one call; a budget cannot meter a tunnel, so it refuses. */
  private gate(source: SourceRuntime, limits: WorkloadLimits, classified: Classified, query: string): void {
    const list = limits.forSource(source.name);
    if (list.length === 0) return this.prepare(source, classified, query);
    if (list.some((l) => l.budget !== undefined)) {
      throw new PortcullisError(
        'WEBSOCKET_NOT_SUPPORTED',
        `a budget applies to source "${source.name}", and the sidecar cannot meter the usage of a WebSocket session; call the API over HTTP, or move the budget to a source this workload does not use for WebSockets`,
      );
    }
    this.gating = true;
    gateCall(limits, source.name, false, this.req, this.x.id, this.deps.limits).then(
      (gated) => {
        this.gating = false;
        if (gated) this.x.meter = new CallMeter(gated.grant, limits, false, source.name, this.deps.limits.metrics);
        // The app went away while the limits were checked: what they granted is given back now.
        if (this.phase !== 'handshake') return this.settleAndRecord();
        this.prepare(source, classified, query);
      },
      (err: unknown) => {
        this.gating = false;
        if (this.phase !== 'handshake') return this.settleAndRecord();
        this.fail(err);
      },
    );
  }

  private prepare(source: SourceRuntime, classified: Classified, query: string): void {
    Promise.resolve(source.prepare(this.req, classified, query)).then(
      (out) => {
        if (this.phase !== 'handshake') return;
        // No body; the upgrade asked for by name; every other hop-by-hop header was removed by prepare.
        setFraming(out.headers, NO_BODY);
        out.headers.connection = 'Upgrade';
        out.headers.upgrade = 'websocket';
        this.x.sent = true;
        const started = performance.now();
        this.upstreamRequest = sendUpgrade(source, out, this.deps.responseTimeoutMs, (answer) => {
          this.x.upstreamMs = performance.now() - started;
          this.answered(source, classified, answer);
        });
      },
      (err: unknown) => this.fail(err),
    );
  }

  private answered(source: SourceRuntime, classified: Classified, answer: UpstreamAnswer): void {
    if (this.phase !== 'handshake') {
      if (answer.kind === 'switched') answer.socket.destroy();
      if (answer.kind === 'answered') answer.res.destroy();
      return;
    }
    if (answer.kind === 'failed') return this.fail(answer.error);
    if (answer.kind === 'answered') return this.relay(answer.res);
    if (!upstreamAgreed(answer.res.headers)) {
      answer.socket.destroy();
      return this.fail(new PortcullisError('UPSTREAM_PROTOCOL_ERROR', `upstream ${source.upstream.host} of source "${source.name}" answered 101 without switching to websocket; the exchange was ended`));
    }
    let head: string;
    try {
      head = responseHead(101, { ...forwardResponseHeaders(answer.res.headers), connection: 'Upgrade', upgrade: 'websocket', [REQUEST_ID_HEADER]: this.x.id });
    } catch (err) {
      answer.socket.destroy();
      return this.fail(new PortcullisError('UPSTREAM_PROTOCOL_ERROR', `upstream ${source.upstream.host} of source "${source.name}" sent a 101 head the sidecar cannot forward`, { cause: err }));
    }
    this.phase = 'tunnel';
    this.status = 101;
    this.socket.write(head);
    this.open(source, classified, answer.socket, answer.head);
  }

  /** The tunnel, registered so that a revocation cuts it; recorded when both sides have closed. */
  private open(source: SourceRuntime, classified: Classified, upstream: Duplex, upstreamHead: Buffer): void {
    const { deps, x } = this;
    const grant: TunnelGrant = { port: this.port, source, podUID: x.identity?.podUID ?? '', method: 'GET', path: classified.path, items: classified.items };
    const entry = {
      revoked: () => revocationOf(grant, { identity: deps.identity(), state: deps.state(), podSuspension: deps.podSuspension() }),
      cut: (cut: Cut, error?: PortcullisError) => {
        if (error) x.error ??= error;
        tunnel.cut(cut);
      },
    };
    const tunnel = new Tunnel(this.socket, upstream, {
      idleTimeoutMs: deps.idleTimeoutMs,
      drainMs: DRAIN_MS,
      onClose: (close: TunnelClose) => {
        deps.tunnelMetrics.open.dec({ source: source.name });
        deps.tunnelMetrics.closed.inc({ source: source.name, closed_by: close.closedBy });
        x.bytesIn = close.bytesIn;
        x.bytesOut = close.bytesOut;
        this.websocket = { closedBy: close.closedBy, closeCode: close.closeCode, reason: close.reason };
        this.phase = 'done';
        // Out of the registry once its line is written: stopping the sidecar waits for the lines.
        this.settleAndRecord(() => deps.tunnels.delete(entry));
      },
    });
    setNoDelay(this.socket);
    setNoDelay(upstream);
    deps.tunnels.add(entry);
    deps.tunnelMetrics.open.inc({ source: source.name });
    tunnel.start(this.head, upstreamHead);
  }

  /** The upstream refused the upgrade (e.g. 401, 404): its answer goes to the app as it is, then the connection closes. */
  private relay(res: IncomingMessage): void {
    this.phase = 'done';
    this.status = res.statusCode ?? 502;
    try {
      this.socket.write(responseHead(this.status, { ...forwardResponseHeaders(res.headers), connection: 'close', [REQUEST_ID_HEADER]: this.x.id }));
    } catch {
      res.destroy();
      this.socket.destroy();
      return this.settleAndRecord();
    }
    res.on('data', (chunk: Buffer) => (this.x.bytesOut += chunk.length));
    res.on('error', () => this.socket.destroy());
    res.pipe(this.socket);
    this.socket.once('close', () => {
      res.destroy();
      this.settleAndRecord();
    });
  }

  /** The one place a handshake gets its error and the app its error answer (in the source's shape). */
  private fail(cause: unknown): void {
    if (this.phase !== 'handshake') return;
    this.phase = 'done';
    const { x, deps } = this;
    const err = toPortcullisError(cause, deps.log, x.id);
    x.error ??= err;
    this.upstreamRequest?.destroy();
    if (this.socket.destroyed) return this.settleAndRecord();
    const answer = new SocketAnswer(this.socket);
    answer.setHeader(REQUEST_ID_HEADER, x.id);
    setRetryHeaders(answer, err);
    try {
      if (x.source) x.source.reject(answer, err, { requestId: x.id, time: x.time, decision: x.decision, classified: x.classified, req: this.req });
      else writeJsonError(answer, err, x.id);
      this.status = httpStatusOf(err.code);
    } catch (writeErr) {
      deps.log.error({ err: writeErr, requestId: x.id }, 'answering a refused upgrade failed; its connection was closed');
      this.socket.destroy();
    }
    this.settleAndRecord();
  }

  /** The app closed its connection before the handshake was over: the upstream request goes too. */
  private appLeft(): void {
    if (this.phase !== 'handshake') return;
    this.phase = 'done';
    this.x.error ??= new PortcullisError('REQUEST_REJECTED', 'the app closed its connection before the upgrade was answered; nothing was opened upstream');
    this.upstreamRequest?.destroy();
    // A limit check still running settles when it returns.
    if (!this.gating) this.settleAndRecord();
  }

  /** Gives back what the limits granted (an in-flight slot is held while a tunnel is open), then records. */
  private settleAndRecord(after?: () => void): void {
    if (this.recorded) return;
    this.recorded = true;
    const meter = this.x.meter;
    if (!meter) {
      this.record();
      after?.();
      return;
    }
    meter.finish(this.x.id, this.x.sent).then(
      (limits) => {
        this.x.limits = limits;
        this.record();
        after?.();
      },
      (err: unknown) => {
        this.deps.limits.metrics.storeErrors.inc({ operation: 'settle' });
        this.deps.log.error({ err, requestId: this.x.id }, 'giving back the limits of a WebSocket tunnel failed; they lapse after their lease');
        this.record();
        after?.();
      },
    );
  }

  private record(): void {
    const { x, deps } = this;
    const source = x.source?.name ?? 'unknown';
    const durationMs = performance.now() - x.started;
    deps.metrics.requests.inc({ source, decision: decisionLabel(x), status_class: statusClass(this.status) });
    deps.metrics.duration.observe({ source }, durationMs / 1000);
    if (x.upstreamMs !== undefined) deps.metrics.upstreamDuration.observe({ source }, x.upstreamMs / 1000);
    const line = auditRecordOf(x, this.req, this.status, durationMs);
    deps.audit.record(this.websocket ? { ...line, websocket: this.websocket } : line);
  }
}

function setNoDelay(socket: Duplex): void {
  (socket as { setNoDelay?: (on: boolean) => unknown }).setNoDelay?.(true);
}

/** The `upgrade` listener of one source port's server (node:http hands it the request, its socket and the bytes after the head). */
export function createUpgradeHandler(port: number, deps: UpgradeDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => new UpgradeExchange(port, deps, req, socket, head).run();
}
