import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { PortcullisError } from '@portcullis/shared';
import { nodeHttp } from '@portcullis/shared/http';
import { upstreamError } from '../proxy/forward.js';
import type { Outgoing, SourceRuntime } from '../sources/runtime.js';

/** How the upstream answered an upgrade request. */
export type UpstreamAnswer =
  /** 101: the upstream's socket, and the bytes it sent right after its head. */
  | { readonly kind: 'switched'; readonly res: IncomingMessage; readonly socket: Duplex; readonly head: Buffer }
  /** Any other status (a 401, a 404…): the response, to relay to the app as it is. */
  | { readonly kind: 'answered'; readonly res: IncomingMessage }
  | { readonly kind: 'failed'; readonly error: PortcullisError };

/**
 * Sends the prepared upgrade request (credential injected, `Connection: Upgrade`, `Upgrade: websocket`,
 * no body) to the source's upstream over the source's agent — TLS verified against the same CAs as every
 * other request, never to a host the app chose — and reports the answer once. `timeoutMs` bounds the wait
 * for the response head. Returns the request, for the caller to destroy when the app goes away first.
 */
export function sendUpgrade(source: SourceRuntime, out: Outgoing, timeoutMs: number, done: (answer: UpstreamAnswer) => void): ClientRequest | undefined {
  const url = out.target ?? source.upstream;
  const send = url.protocol === 'https:' ? httpsRequest : nodeHttp.request;
  let settled = false;
  let timedOut = false;
  const settle = (answer: UpstreamAnswer): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(answer);
  };
  let upstream: ClientRequest;
  try {
    upstream = send({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      method: 'GET',
      path: out.path,
      headers: out.headers,
      agent: source.agent,
      servername: /^(\d+\.){3}\d+$|^\[/.test(url.hostname) ? '' : url.hostname,
    });
  } catch (err) {
    settle({ kind: 'failed', error: new PortcullisError('REQUEST_REJECTED', 'the upgrade request has a header the sidecar cannot send; remove it', { cause: err }) });
    return undefined;
  }
  const timer = setTimeout(() => {
    timedOut = true;
    upstream.destroy(new PortcullisError('UPSTREAM_TIMEOUT', `no answer to the upgrade within ${timeoutMs} ms`));
  }, timeoutMs);
  upstream.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (settled) socket.destroy();
    else settle({ kind: 'switched', res, socket, head });
  });
  upstream.on('response', (res: IncomingMessage) => settle({ kind: 'answered', res }));
  upstream.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'failed', error: upstreamError(err, source, url.host, timedOut) }));
  upstream.end();
  return upstream;
}
