import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { PortcullisError, decide, splitTarget } from '@portcullis/shared';
import type { AuditLog } from '../audit/audit-log.js';
import type { Identity, WorkloadRules } from '../deps.js';
import { statusClass, type SidecarMetrics } from '../metrics.js';
import type { Classified, SourceRuntime } from '../sources/runtime.js';
import { denialError } from './denial.js';
import { auditRecordOf, decisionLabel, type Exchange } from './exchange.js';
import { forward } from './forward.js';
import { isRefusal, requestFraming, type Framing } from './framing.js';
import { LINGER_LIMITS, afterBodyDrained } from './linger.js';
import { REQUEST_ID_HEADER, writeJsonError } from './json-error.js';
import { knownError } from './known-error.js';

/** The live state a request is decided against; read once per request, swapped whole on changes. */
export interface ProxyState {
  readonly synced: boolean;
  readonly rules: WorkloadRules;
  source(port: number): SourceRuntime | undefined;
  /** Why a port has no usable source (bad spec, port clash); undefined when unknown. */
  problem(port: number): string | undefined;
}

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
}

/** Identity, sync, source and framing checks; throws the PortcullisError the app gets when one fails. */
function admit(x: Exchange, req: IncomingMessage, port: number, deps: HandlerDeps): { source: SourceRuntime; state: ProxyState; framing: Framing } {
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

function toPortcullisError(err: unknown, log: Logger, requestId: string): PortcullisError {
  const known = knownError(err);
  if (known) return known;
  log.error({ err, requestId }, 'unexpected error while handling a request');
  return new PortcullisError('INTERNAL', `the sidecar failed unexpectedly; its log has the details under request id ${requestId}`, { cause: err });
}

function mayHaveBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Authorizes what classify found, then prepares and forwards it; a denial throws, later errors go to `fail`. */
function authorizeAndForward(
  x: Exchange,
  req: IncomingMessage,
  res: ServerResponse,
  call: { source: SourceRuntime; state: ProxyState; framing: Framing; query: string; classified: Classified },
  deps: HandlerDeps,
  fail: (err: PortcullisError) => void,
): void {
  const { source, classified } = call;
  x.classified = classified;
  const method = req.method ?? '';
  x.decision = decide(call.state.rules, { source: source.name, method, path: classified.path, items: classified.items });
  if (!x.decision.forward) throw denialError(method, classified.path, x.decision, source.name);
  Promise.resolve(source.prepare(req, classified, call.query)).then(
    (out) => {
      // Whatever throws while sending (a header value Node refuses, a failing rewrite) ends this exchange
      // with an error of its own; it never escapes into the process.
      try {
        forward(req, res, source, out, call.framing, deps.responseTimeoutMs, (err) => fail(toPortcullisError(err, deps.log, x.id)), (o) => {
          x.upstreamMs = o.upstreamMs;
          x.bytesIn = o.bytesIn;
          x.bytesOut = o.bytesOut;
          if (o.error && !x.error) x.error = o.error;
        });
      } catch (err) {
        fail(toPortcullisError(err, deps.log, x.id));
      }
    },
    (err: unknown) => fail(toPortcullisError(err, deps.log, x.id)),
  );
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

  return (req, res) => {
    const x: Exchange = {
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
    };
    res.setHeader(REQUEST_ID_HEADER, x.id);
    let recorded = false;
    // After the other 'close' listeners (forward's reports timings and byte counts from its own).
    res.on('close', () =>
      queueMicrotask(() => {
        if (recorded) return;
        recorded = true;
        record(x, req, res);
      }),
    );
    const respond = (err: PortcullisError): void => {
      if (x.source) x.source.reject(res, err, { requestId: x.id, decision: x.decision, classified: x.classified, req });
      else writeJsonError(res, err, x.id);
      req.resume();
    };
    const fail = (err: PortcullisError): void => {
      x.error = err;
      if (res.headersSent || !mayHaveBody(req) || req.complete) return respond(err);
      // An answer before the whole request body was read (a denial, a refused aws-chunked body) ends the
      // connection: what is left of the body must never be parsed as the next request. The rest of the
      // body is read and dropped first (bounded), so a client still sending gets the answer, not a reset.
      res.setHeader('connection', 'close');
      afterBodyDrained(req, LINGER_LIMITS, () => respond(err));
    };
    const failWith = (err: unknown): void => fail(toPortcullisError(err, deps.log, x.id));
    try {
      const { source, state, framing } = admit(x, req, port, deps);
      const { path, query } = splitTarget(req.url ?? '/');
      const classified = source.classify(req, path, query);
      if (classified instanceof Promise) {
        classified.then((c) => authorizeAndForward(x, req, res, { source, state, framing, query, classified: c }, deps, fail)).catch(failWith);
      } else {
        authorizeAndForward(x, req, res, { source, state, framing, query, classified }, deps, fail);
      }
    } catch (err) {
      failWith(err);
    }
  };
}
