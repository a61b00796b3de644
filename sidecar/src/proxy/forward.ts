import { request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import { PortcullisError } from '@portcullis/shared';
import type { Outgoing, SourceRuntime } from '../sources/runtime.js';
import { forwardResponseHeaders } from './headers.js';

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

export interface ForwardOutcome {
  /** ms from sending upstream to its response headers; undefined when none came. */
  upstreamMs: number | undefined;
  error: PortcullisError | undefined;
  /** Body bytes received from the app and sent back to it. */
  bytesIn: number;
  bytesOut: number;
}

function upstreamError(err: NodeJS.ErrnoException, source: SourceRuntime, timedOut: boolean): PortcullisError {
  const host = source.upstream.host;
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

/**
 * Streams the app's request to the source's upstream and the answer back. Bodies are piped (with
 * backpressure) both ways; if the app goes away the upstream request is destroyed; redirects are returned
 * to the app as they are, never followed. `done` is called once, when the exchange is over.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  source: SourceRuntime,
  out: Outgoing,
  responseTimeoutMs: number,
  onFailure: (err: PortcullisError) => void,
  done: (outcome: ForwardOutcome) => void,
): void {
  const outcome: ForwardOutcome = { upstreamMs: undefined, error: undefined, bytesIn: 0, bytesOut: 0 };
  const url = source.upstream;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const started = performance.now();
  let finished = false;
  let timedOut = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done(outcome);
  };

  const upstream: ClientRequest = send({
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port,
    method: req.method,
    path: out.path,
    headers: out.headers,
    agent: source.agent,
    servername: url.hostname,
  });
  const timer = setTimeout(() => {
    timedOut = true;
    upstream.destroy(new Error('response timeout'));
  }, responseTimeoutMs);

  upstream.on('response', (upRes) => {
    clearTimeout(timer);
    outcome.upstreamMs = performance.now() - started;
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardResponseHeaders(upRes.headers));
    res.flushHeaders();
    upRes.on('data', (chunk: Buffer) => (outcome.bytesOut += chunk.length));
    pipeline(upRes, res, (err) => {
      if (err && !outcome.error && !res.writableFinished) {
        outcome.error = upstreamError(err, source, false);
      }
      finish();
    });
  });

  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (finished || res.destroyed) return finish();
    outcome.error = upstreamError(err, source, timedOut);
    if (!res.headersSent) onFailure(outcome.error);
    else res.destroy();
    finish();
  });

  // The app went away before the answer was complete: stop the upstream call too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
    finish();
  });

  const onBodyError = (err: NodeJS.ErrnoException | null): void => {
    if (!err) return;
    // A body the provider refused (e.g. a malformed aws-chunked stream) must not reach the upstream.
    upstream.destroy();
    if (err instanceof PortcullisError && !res.headersSent && !finished) {
      outcome.error = err;
      onFailure(err);
      finish();
    }
  };
  if (out.transform) pipeline(req, out.transform, upstream, onBodyError);
  else pipeline(req, upstream, onBodyError);
  req.on('data', (chunk: Buffer) => (outcome.bytesIn += chunk.length));
}
