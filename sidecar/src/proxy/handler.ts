import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { PortcullisError, decide, isPortcullisError, splitTarget } from '@portcullis/shared';
import type { AuditLog } from '../audit/audit-log.js';
import type { Identity } from '../deps.js';
import { CallMeter } from '../limits/call-meter.js';
import { gateCall, type LimitDeps } from '../limits/gate.js';
import { LimitError, setRetryHeaders } from '../limits/limit-error.js';
import { statusClass, type SidecarMetrics } from '../metrics.js';
import type { ProxyState } from '../sources/proxy-state.js';
import type { Classified, SourceRuntime } from '../sources/runtime.js';
import { denialError } from './denial.js';
import { auditRecordOf, decisionLabel, newExchange, type Exchange } from './exchange.js';
import { forward, type ForwardOutcome } from './forward.js';
import { isRefusal, requestFraming, type Framing } from './framing.js';
import { LINGER_LIMITS, afterBodyDrained } from './linger.js';
import { REQUEST_ID_HEADER, writeJsonError } from '../http/json-error.js';

export interface HandlerDeps {
  readonly identity: () => Identity | undefined;
  readonly identityProblem: () => string | undefined;
  readonly state: () => ProxyState;
  readonly audit: AuditLog;
  readonly metrics: SidecarMetrics;
  readonly log: Logger;
  readonly requestId: () => string;
  readonly responseTimeoutMs: number;
  readonly now: () => Date;
  readonly limits: LimitDeps;
  /** Why this pod is suspended (its portcullis.dev/suspend label or annotation); undefined when it is not. */
  readonly podSuspension: () => string | undefined;
}

/** The kill switch: the pod's own label/annotation, or a selecting policy's spec.suspend. */
function suspension(state: ProxyState, deps: HandlerDeps): LimitError | undefined {
  const pod = deps.podSuspension();
  const why = pod ?? (state.limits.suspendedBy === undefined ? undefined : `EgressPolicy ${state.limits.suspendedBy} has spec.suspend: true`);
  if (why === undefined) return undefined;
  deps.limits.metrics.decisions.inc({ source: 'all', result: 'suspended' });
  return new LimitError('SUSPENDED', `Portcullis suspended every call of this pod: ${why}; calls resume when the suspension is removed`, undefined, false);
}

/** Identity, sync, source and framing checks; throws the PortcullisError the app gets when one fails. */
export function admit(x: Exchange, req: IncomingMessage, port: number, deps: HandlerDeps): { source: SourceRuntime; state: ProxyState; framing: Framing } {
  if (!x.identity) {
    throw new PortcullisError('IDENTITY_UNAVAILABLE', `the sidecar has no verified workload identity (${deps.identityProblem() ?? 'unknown'}); every request is refused until TokenReview succeeds`);
  }
  const state = deps.state();
  if (!state.synced) {
    throw new PortcullisError('POLICY_NOT_SYNCED', 'EgressPolicies and CredentialSources are not loaded yet; retry in a moment');
  }
  const source = state.source(port);
  if (!source) {
    throw new PortcullisError('SOURCE_NOT_CONFIGURED', `no usable CredentialSource listens on port ${port} (${state.problem(port) ?? 'it was deleted'})`);
  }
  x.source = source;
  const suspended = suspension(state, deps);
  if (suspended) throw suspended;
  const url = req.url ?? '';
  if (req.method === 'CONNECT' || !url.startsWith('/')) {
    throw new PortcullisError('REQUEST_REJECTED', `${req.method ?? ''} ${url.slice(0, 100)} is not an origin-form request; point the SDK's base URL at http://127.0.0.1:${port}`);
  }
  if (req.method === 'TRACE') {
    // The upstream would echo the request back, the injected credential included.
    throw new PortcullisError('REQUEST_REJECTED', 'TRACE is not forwarded: the upstream would echo the injected credential back to the app');
  }
  const framing = requestFraming(req.method ?? '', req.headers);
  if (isRefusal(framing)) throw new PortcullisError('REQUEST_FRAMING_REJECTED', framing.refused);
  return { source, state, framing };
}

/** The error the app is answered with: a PortcullisError as it is, anything else (logged once) as INTERNAL. */
export function toPortcullisError(err: unknown, log: Logger, requestId: string): PortcullisError {
  if (isPortcullisError(err)) return err;
  log.error({ err, requestId }, 'unexpected error while handling a request');
  return new PortcullisError('INTERNAL', `the sidecar failed unexpectedly; its log has the details under request id ${requestId}`, { cause: err });
}

function mayHaveBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Authorizes what classify found, then prepares and forwards it. A denial throws; a failing prepare goes
 * to `fail`; the forwarded exchange's one outcome goes to `settle`.
 */
function authorizeAndForward(
  x: Exchange,
  req: IncomingMessage,
  res: ServerResponse,
  call: { source: SourceRuntime; state: ProxyState; framing: Framing; query: string; classified: Classified },
  deps: HandlerDeps,
  settle: (outcome: ForwardOutcome) => void,
  fail: (err: unknown) => void,
): void {
  const { source, classified } = call;
  x.classified = classified;
  const method = req.method ?? '';
  x.decision = decide(call.state.rules, { source: source.name, method, path: classified.path, items: classified.items });
  if (!x.decision.forward) throw denialError(method, classified.path, x.decision, source.name);
  const limits = call.state.limits;
  if (limits.forSource(source.name).length === 0) {
    send(x, req, res, call, deps, settle, fail, undefined);
    return;
  }
  gateCall(limits, source.name, source.readsBody !== false, req, x.id, deps.limits).then((gated) => {
    const meter = gated ? new CallMeter(gated.grant, limits, gated.metered, source.name, deps.limits.metrics) : undefined;
    if (res.destroyed) {
      // The app went away while the limits were checked: nothing is sent, and what they granted (slots,
      // reservations) is given back now rather than held until its lease lapses.
      meter?.finish(x.id, false).catch((err: unknown) => deps.log.warn({ err, requestId: x.id }, 'giving back the limits of an abandoned call failed; they lapse after their lease'));
      return;
    }
    x.meter = meter;
    send(x, req, res, call, deps, settle, fail, gated?.body);
  }, fail);
}

/** Prepares (injects) and forwards a call that passed policy and limits; a budgeted call's body comes from `body`. */
function send(
  x: Exchange,
  req: IncomingMessage,
  res: ServerResponse,
  call: { source: SourceRuntime; framing: Framing; query: string; classified: Classified },
  deps: HandlerDeps,
  settle: (outcome: ForwardOutcome) => void,
  fail: (err: unknown) => void,
  body: Buffer | undefined,
): void {
  const { source } = call;
  Promise.resolve(source.prepare(req, call.classified, call.query)).then((prepared) => {
    let out = prepared;
    if (x.meter?.metered) {
      // Usage is read from the response as it streams, which a compressed body would hide.
      out.headers['accept-encoding'] = 'identity';
      if (body) out = { ...prepared, body };
    }
    // Whatever throws while sending ends this exchange with an error of its own; it never escapes into
    // the process (forward reports what it catches through settle).
    try {
      x.sent = true;
      forward(req, res, source, out, call.framing, deps.responseTimeoutMs, settle, x.meter);
    } catch (err) {
      fail(err);
    }
  }, fail);
}

/** Builds the request handler for one source port: identity → classify → authorize → inject → forward → audit. */
export function createHandler(port: number, deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const record = (x: Exchange, req: IncomingMessage, res: ServerResponse): void => {
    const status = res.headersSent ? res.statusCode : 0;
    const source = x.source?.name ?? 'unknown';
    const durationMs = performance.now() - x.started;
    deps.metrics.requests.inc({ source, decision: decisionLabel(x), status_class: statusClass(status) });
    deps.metrics.duration.observe({ source }, durationMs / 1000);
    if (x.upstreamMs !== undefined) deps.metrics.upstreamDuration.observe({ source }, x.upstreamMs / 1000);
    deps.audit.record(auditRecordOf(x, req, status, durationMs));
  };
  /** Settles a metered call's reservations (once), then records it with what it was charged. */
  const settleAndRecord = (x: Exchange, req: IncomingMessage, res: ServerResponse): void => {
    const meter = x.meter;
    if (!meter) return record(x, req, res);
    // The provider may have charged for a call that was sent, unless it answered (status known) without usage.
    const charged = x.sent === true && x.error?.code !== 'UPSTREAM_UNREACHABLE' && x.error?.code !== 'UPSTREAM_TLS_FAILED';
    meter.finish(x.id, charged).then(
      (limits) => {
        x.limits = limits;
        record(x, req, res);
      },
      (err: unknown) => {
        deps.limits.metrics.storeErrors.inc({ operation: 'settle' });
        deps.log.error({ err, requestId: x.id }, 'settling the budget of a call failed; its reservation lapses after the lease');
        record(x, req, res);
      },
    );
  };

  return (req, res) => {
    const x = newExchange(deps);
    res.setHeader(REQUEST_ID_HEADER, x.id);
    let recorded = false;
    // After the other 'close' listeners (forward's reports timings and byte counts from its own).
    res.on('close', () =>
      queueMicrotask(() => {
        if (recorded) return;
        recorded = true;
        settleAndRecord(x, req, res);
      }),
    );
    const respond = (err: PortcullisError): void => {
      setRetryHeaders(res, err);
      if (x.source) x.source.reject(res, err, { requestId: x.id, time: x.time, decision: x.decision, classified: x.classified, req });
      else writeJsonError(res, err, x.id);
      req.resume();
    };
    // The one place an exchange gets its error and the app its error answer.
    const fail = (cause: unknown): void => {
      const err = toPortcullisError(cause, deps.log, x.id);
      x.error ??= err;
      // An answer that had begun is cut (reject destroys the response), not replaced.
      if (res.headersSent || !mayHaveBody(req) || req.complete) return respond(err);
      // An answer before the whole request body was read (a denial, a refused aws-chunked body) ends the
      // connection: what is left of the body must never be parsed as the next request. The rest of the
      // body is read and dropped first (bounded), so a client still sending gets the answer, not a reset.
      res.setHeader('connection', 'close');
      afterBodyDrained(req, LINGER_LIMITS, () => respond(err));
    };
    const settle = (outcome: ForwardOutcome): void => {
      x.upstreamMs = outcome.upstreamMs;
      x.bytesIn = outcome.bytesIn;
      x.bytesOut = outcome.bytesOut;
      if (outcome.failure !== undefined) fail(outcome.failure);
    };
    try {
      const { source, state, framing } = admit(x, req, port, deps);
      const { path, query } = splitTarget(req.url ?? '/');
      const classified = source.classify(req, path, query);
      if (classified instanceof Promise) {
        classified.then((c) => authorizeAndForward(x, req, res, { source, state, framing, query, classified: c }, deps, settle, fail)).catch(fail);
      } else {
        authorizeAndForward(x, req, res, { source, state, framing, query, classified }, deps, settle, fail);
      }
    } catch (err) {
      fail(err);
    }
  };
}
