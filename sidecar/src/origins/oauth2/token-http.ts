import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { PortcullisError } from '@portcullis/shared';

/** What oauth4webapi passes to its `customFetch` hook (the `fetch` options it would use). */
export interface TokenFetchOptions {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: URLSearchParams | string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The `fetch` oauth4webapi calls for discovery and the token endpoint. */
export type TokenFetch = (url: string, options: TokenFetchOptions) => Promise<Response>;

export interface TokenHttpOptions {
  /** PEM CA certificates trusted besides the system roots (oauth2.caBundle). */
  readonly caBundle: string | undefined;
  readonly timeoutMs: number;
}

/** Discovery documents and token answers are small; a larger one is refused, not buffered. */
const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * The HTTP client of one OAuth2 origin, as the `customFetch` of oauth4webapi: node:http(s) with its own
 * keep-alive pool (so it runs the same on Node in the unit tests and on Bun in the sidecar), TLS verified
 * against the system roots plus oauth2.caBundle and never switched off, a timeout per call, redirects
 * never followed (a token request with a client secret goes to the configured host only), and an answer
 * size cap. It never logs: requests carry client secrets and assertions, answers carry tokens.
 */
export function tokenHttp(opts: TokenHttpOptions): { fetch: TokenFetch; close: () => void } {
  const ca = opts.caBundle ? [...rootCertificates, opts.caBundle] : undefined;
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: true, ...(ca ? { ca } : {}) });
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 2 });
  const fetch: TokenFetch = (url, options) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const tls = target.protocol === 'https:';
      const payload = options.body === undefined ? undefined : String(options.body);
      const headers: Record<string, string> = { ...options.headers };
      if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
      const req = (tls ? httpsRequest : httpRequest)(
        {
          host: target.hostname,
          port: target.port || (tls ? 443 : 80),
          method: options.method,
          path: `${target.pathname}${target.search}`,
          headers,
          agent: tls ? httpsAgent : httpAgent,
          timeout: opts.timeoutMs,
        },
        (res) => collect(res, req, resolve, reject),
      );
      req.on('timeout', () => req.destroy(new PortcullisError('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE', `no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      options.signal?.addEventListener('abort', () => req.destroy(new PortcullisError('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE', 'the request was aborted')), { once: true });
      req.end(payload);
    });
  return {
    fetch,
    close: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

function collect(res: IncomingMessage, req: { destroy(err: Error): void }, resolve: (r: Response) => void, reject: (err: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) req.destroy(new PortcullisError('OAUTH2_ANSWER_INVALID', `the server answered more than ${MAX_ANSWER_BYTES} bytes`));
    else chunks.push(chunk);
  });
  res.on('end', () => {
    const headers = new Headers();
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
    const status = res.statusCode ?? 0;
    // A Response cannot carry a body with 204/304; an empty body is passed as null for every status.
    const body = size === 0 || status === 204 || status === 304 ? null : Buffer.concat(chunks);
    resolve(new Response(body, { status, headers }));
  });
  res.on('error', reject);
}
