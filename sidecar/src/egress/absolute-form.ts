import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { decideHost, isPortcullisError, PortcullisError } from '@portcullis/shared';
import { nodeHttp } from '@portcullis/shared/http';
import type { Logger } from 'pino';
import { REQUEST_ID_HEADER } from '../http/json-error.js';
import { isRefusal, requestFraming, setFraming } from '../proxy/framing.js';
import { admitEgress, egressDenied, newEgressExchange, recordEgress, type EgressDeps } from './egress-exchange.js';
import { refuseRequest } from './refusal.js';
import { resolveTarget } from './resolve-target.js';
import { absoluteTarget } from './target.js';

/** Hop-by-hop headers and the proxy's own: never forwarded either way (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect']);

/**
 * Headers to pass on to a host without a source. Unlike a source port nothing is injected here, so the
 * app's own headers (its Authorization for that host included) go through; only hop-by-hop ones do not.
 */
function passHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = new Set<string>();
  const conn = incoming.connection;
  for (const part of (Array.isArray(conn) ? conn.join(',') : (conn ?? '')).split(',')) if (part.trim()) listed.add(part.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const name in incoming) if (!HOP_BY_HOP.has(name) && !listed.has(name)) out[name] = incoming[name];
  return out;
}

function hostHeader(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === 80 ? h : `${h}:${port}`;
}

/**
 * An absolute-form `http://host/path` request on the HTTPS_PROXY port to a host without a source: the
 * same egress rules and address guard as a tunnel, then forwarded as is (nothing injected) to the checked
 * address, with Host set from the URL. One audit line per request.
 */
export function createAbsoluteFormHandler(deps: EgressDeps, log: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const x = newEgressExchange(deps, 'http', req.method ?? '');
    res.setHeader(REQUEST_ID_HEADER, x.id);
    let recorded = false;
    res.on('close', () => {
      if (recorded) return;
      recorded = true;
      x.status = res.headersSent ? res.statusCode : 0;
      recordEgress(x, deps.audit, deps.metrics);
    });
    const fail = (cause: unknown): void => {
      let err: PortcullisError;
      if (isPortcullisError(cause)) err = cause;
      else {
        log.error({ err: cause, requestId: x.id }, 'unexpected error on an absolute-form request');
        err = new PortcullisError('INTERNAL', `the sidecar failed unexpectedly; its log has the details under request id ${x.id}`, { cause });
      }
      x.error ??= err;
      // What is left of a request body is never parsed as the next request.
      if (!req.complete) res.setHeader('connection', 'close');
      refuseRequest(res, err, x.id, x.decision?.policy);
      req.resume();
    };
    const send = async (): Promise<void> => {
      const rules = admitEgress(x, deps);
      const target = absoluteTarget(req.url ?? '');
      x.host = target.host;
      x.port = target.port;
      x.path = target.path.split('?')[0]?.slice(0, 256) ?? '';
      x.decision = decideHost(rules, target);
      if (!x.decision.forward) throw egressDenied(x, x.decision);
      const framing = requestFraming(req.method ?? '', req.headers);
      if (isRefusal(framing)) throw new PortcullisError('REQUEST_FRAMING_REJECTED', framing.refused);
      const address = await resolveTarget(target.host, x.decision.namesHost, deps.lookup, deps.guard);
      x.address = address;
      const headers = passHeaders(req.headers);
      headers.host = hostHeader(target.host, target.port);
      setFraming(headers, framing);
      const t0 = performance.now();
      const up = nodeHttp.request({ host: address, port: target.port, method: req.method, path: target.path, headers, setHost: false, agent: false, timeout: deps.connectTimeoutMs });
      up.once('socket', (socket) => socket.once('connect', () => (x.forwarded = true)));
      up.on('timeout', () => up.destroy(new PortcullisError('UPSTREAM_TIMEOUT', `${target.host}:${target.port} did not answer within ${deps.connectTimeoutMs} ms`)));
      up.on('error', (err) => fail(isPortcullisError(err) ? err : new PortcullisError('UPSTREAM_UNREACHABLE', `cannot reach ${target.host}:${target.port} (${(err as NodeJS.ErrnoException).code ?? err.message})`, { cause: err })));
      up.on('response', (upRes) => {
        x.upstreamMs = performance.now() - t0;
        up.setTimeout(0);
        res.writeHead(upRes.statusCode ?? 502, passHeaders(upRes.headers));
        upRes.on('data', (chunk: Buffer) => (x.bytesOut += chunk.length));
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      });
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
      req.on('data', (chunk: Buffer) => (x.bytesIn += chunk.length));
      req.pipe(up);
    };
    send().catch(fail);
  };
}
