import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import { nodeHttp } from '@portcullis/shared/http';
import { isPortcullisError, PortcullisError } from '@portcullis/shared';
import type { Outgoing, SourceRuntime } from '../sources/runtime.js';
import { CHUNKED, declaredLength, setFraming, type Framing } from './framing.js';
import { forwardResponseHeaders } from '../http/headers.js';
import { LengthGuard } from './length-guard.js';
import { taint } from '../http/pool.js';

const TLS_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Watches a response as it streams to the app; it must not hold on to chunks. */
export interface ResponseTap {
  head(status: number, headers: IncomingHttpHeaders): void;
  data(chunk: Buffer): void;
}

/** How one forwarded exchange ended, handed to the handler once. */
export interface ForwardOutcome {
  /** ms from sending upstream to its response headers; undefined when none came. */
  upstreamMs: number | undefined;
  /**
   * What ended the exchange early: a PortcullisError, or anything else (a failed body rewrite), which the
   * handler logs and answers as INTERNAL. The handler answers it when nothing was sent to the app yet;
   * otherwise the response was already cut. Undefined when the exchange completed or the app went away.
   */
  failure: unknown;
  /** Body bytes received from the app and sent back to it. */
  bytesIn: number;
  bytesOut: number;
}

export function upstreamError(err: NodeJS.ErrnoException, source: SourceRuntime, host: string, timedOut: boolean): PortcullisError {
  if (err.code?.startsWith('HPE_')) {
    return new PortcullisError(
      'UPSTREAM_PROTOCOL_ERROR',
      `upstream ${host} of source "${source.name}" sent a malformed HTTP response (${err.code}); the exchange was ended and its connection closed`,
      { cause: err },
    );
  }
  if (timedOut) {
    return new PortcullisError('UPSTREAM_TIMEOUT', `upstream ${host} of source "${source.name}" sent no response in time; retry later`);
  }
  if (err.code && TLS_ERRORS.has(err.code)) {
    return new PortcullisError(
      'UPSTREAM_TLS_FAILED',
      `the TLS certificate of upstream ${host} (source "${source.name}") did not verify (${err.code}); add its CA to spec.http.caBundle if it uses a private CA`,
      { cause: err },
    );
  }
  return new PortcullisError(
    'UPSTREAM_UNREACHABLE',
    `could not reach upstream ${host} of source "${source.name}" (${err.code ?? err.message}); check DNS, network policy and the upstream`,
    { cause: err },
  );
}

/** The error a stream was destroyed with (Node's and Bun's `stream.errored`), if any. */
function erroredWith(stream: NodeJS.ReadWriteStream | undefined): Error | undefined {
  return (stream as { errored?: Error | null } | undefined)?.errored ?? undefined;
}

/**
 * The upstream answered in full while the app's body was still going out: the exchange is over, so the
 * rest of the body is read from the app and dropped instead of sent, and the upstream connection — on
 * which the upstream may or may not read what was already sent — is closed rather than pooled.
 */
function stopSendingAfterAnswer(req: IncomingMessage, upstream: ClientRequest): void {
  if (upstream.writableFinished) return;
  taint(upstream.socket);
  req.unpipe(upstream);
  upstream.destroy();
  req.resume();
}

/**
 * How the sidecar frames the body it sends: a body the origin already read goes with its exact length; a
 * body the origin rewrites goes with the length the origin declared (held to it by a LengthGuard) or
 * chunked; the app's body as it is goes framed as the sidecar's parser read it.
 */
export function outgoingFraming(appFraming: Framing, out: Outgoing): Framing {
  if (out.body) return { kind: 'length', length: out.body.length };
  if (out.transform) {
    const declared = declaredLength(out.headers);
    return declared === undefined ? CHUNKED : { kind: 'length', length: declared };
  }
  return appFraming;
}

/**
 * Streams the app's request to the source's upstream and the answer back. Bodies are piped (with
 * backpressure) both ways; if the app goes away the upstream request is destroyed; redirects are returned
 * to the app as they are, never followed. `done` is called once, when the exchange is over, with its
 * outcome; forward never throws and never answers an error itself.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  source: SourceRuntime,
  out: Outgoing,
  appFraming: Framing,
  responseTimeoutMs: number,
  done: (outcome: ForwardOutcome) => void,
  /** Sees the response head and every body chunk as it goes to the app (the usage meter of budgeted calls). */
  tap?: ResponseTap,
): void {
  const outcome: ForwardOutcome = { upstreamMs: undefined, failure: undefined, bytesIn: 0, bytesOut: 0 };
  const url = out.target ?? source.upstream;
  const send = url.protocol === 'https:' ? httpsRequest : nodeHttp.request;
  const started = performance.now();
  let finished = false;
  let timedOut = false;
  const finish = (failure?: unknown): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    if (failure !== undefined) outcome.failure = failure;
    done(outcome);
  };

  const framing = outgoingFraming(appFraming, out);
  setFraming(out.headers, framing);
  let upstream: ClientRequest;
  try {
    upstream = send({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      method: req.method,
      path: out.path,
      headers: out.headers,
      agent: source.agent,
      servername: /^(\d+\.){3}\d+$|^\[/.test(url.hostname) ? '' : url.hostname, // SNI names DNS hosts only (an IP: DEP0123)
    });
  } catch (err) {
    // A header value Node refuses: nothing was sent.
    outcome.failure = err;
    done(outcome);
    return;
  }
  // A 101 the sidecar did not ask for (it never forwards Upgrade): the connection is no longer HTTP.
  upstream.on('upgrade', (_upRes, socket) => {
    socket.destroy();
    upstream.destroy();
    if (res.headersSent) res.destroy();
    finish(
      new PortcullisError(
        'UPSTREAM_PROTOCOL_ERROR',
        `upstream ${url.host} of source "${source.name}" switched protocols (101) although the sidecar asked for no upgrade; the exchange was ended`,
      ),
    );
  });
  // The wait for the response head counts from the request's last byte: every chunk of the app's body
  // re-arms the timer, so an upload that keeps moving is never cut, while one that stalls — or an
  // upstream that never answers — ends after responseTimeoutMs without progress.
  let responded = false;
  const timer = setTimeout(() => {
    timedOut = true;
    upstream.destroy(new PortcullisError('UPSTREAM_TIMEOUT', `no response within ${responseTimeoutMs} ms of the request's last byte`));
  }, responseTimeoutMs);

  upstream.on('response', (upRes) => {
    responded = true;
    clearTimeout(timer);
    outcome.upstreamMs = performance.now() - started;
    // An answer before the whole request went out: the rest of the body is never sent on this
    // connection's next exchange — the connection is closed after this one.
    if (!upstream.writableFinished) taint(upstream.socket);
    try {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardResponseHeaders(upRes.headers));
    } catch (err) {
      // A response head the sidecar cannot repeat to the app: end both sides rather than half-answer.
      upstream.destroy();
      finish(new PortcullisError('UPSTREAM_PROTOCOL_ERROR', `upstream ${url.host} of source "${source.name}" sent a response head the sidecar cannot forward; the exchange was ended`, { cause: err }));
      return;
    }
    // A body of unknown length (SSE, chunked streams) may be slow to start: the app gets the headers at
    // once. Otherwise they leave with the first body bytes, in one write instead of two.
    if (upRes.headers['content-length'] === undefined) res.flushHeaders();
    if (tap) {
      tap.head(upRes.statusCode ?? 0, upRes.headers);
      upRes.on('data', (chunk: Buffer) => {
        outcome.bytesOut += chunk.length;
        tap.data(chunk);
      });
    } else {
      upRes.on('data', (chunk: Buffer) => (outcome.bytesOut += chunk.length));
    }
    // pipe(), not stream.pipeline(): pipeline() aborts an AbortController when it finishes, and the
    // DOMException that builds (with its stack trace) cost ~9 % of the sidecar's CPU at full load. The
    // cleanup pipeline() did is here: the upstream dying mid-body cuts the app's response, and the app
    // going away destroys the upstream request (res 'close' below), which also ends the exchange.
    upRes.on('error', (err: NodeJS.ErrnoException) => {
      if (outcome.failure === undefined && !res.writableFinished) outcome.failure = upstreamError(err, source, url.host, false);
      res.destroy();
    });
    upRes.pipe(res);
    if (!out.transform && !out.body) upRes.once('end', () => stopSendingAfterAnswer(req, upstream));
  });

  // The length guard between a rewritten body and the upstream request, when the length is declared.
  let guard: LengthGuard | undefined;
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (finished || res.destroyed) return finish();
    // A refused body (a malformed aws-chunked stream, a wrong length) tears the upstream request down
    // through pipeline(). On Node pipeline's callback (onBodyError) comes first; on Bun the request's
    // own error (ECONNRESET) comes first: the refusal, not an unreachable upstream, is the outcome.
    const refused = erroredWith(out.transform) ?? erroredWith(guard);
    if (refused && !res.headersSent) return onBodyError(refused);
    if (res.headersSent) res.destroy();
    finish(upstreamError(err, source, url.host, timedOut));
  });

  // The app went away before the answer was complete: stop the upstream call too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
    finish();
  });

  const onBodyError = (err: NodeJS.ErrnoException | null): void => {
    if (!err) return;
    // A body the provider refused (e.g. a malformed aws-chunked stream) or that did not arrive in full
    // must not reach the upstream, and the connection it was going out on is never reused.
    taint(upstream.socket);
    upstream.destroy();
    if (res.headersSent || finished) return;
    if (!isPortcullisError(err) && err.code === 'ECONNRESET' && !req.complete) {
      // The app went away mid-body.
      finish(new PortcullisError('REQUEST_REJECTED', 'the app closed its connection before the request body was complete; nothing was completed upstream', { cause: err }));
    } else {
      // A refused body (its own code), or a rewrite that failed (the handler logs it once and answers 500 INTERNAL).
      finish(err);
    }
  };
  if (out.body) {
    // Already read by the provider (small AWS bodies): the request has ended, so send the bytes.
    outcome.bytesIn = out.body.length;
    upstream.end(out.body);
  } else if (framing.kind === 'none') {
    // No body: nothing the app sends after the head is part of this request.
    upstream.end();
  } else {
    if (out.transform) {
      if (framing.kind === 'length') pipeline(req, out.transform, (guard = new LengthGuard(framing.length, source.name)), upstream, onBodyError);
      else pipeline(req, out.transform, upstream, onBodyError);
    } else {
      // pipe() for the common case (see the response side); an app that goes away mid-upload errors
      // `req`, which destroys the upstream request in onBodyError.
      req.on('error', onBodyError);
      req.pipe(upstream);
    }
    req.on('data', (chunk: Buffer) => {
      outcome.bytesIn += chunk.length;
      if (!responded && !finished) timer.refresh();
    });
  }
}
