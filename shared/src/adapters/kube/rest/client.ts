import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, request, type RequestOptions } from 'node:https';
import { PortcullisError, isPortcullisError } from '../../../errors/index.js';
import { kubeApiError } from './status-error.js';
import { JsonLines } from './watch-lines.js';

/** Where the API server is and how to prove who we are: what a kubeconfig or an in-cluster mount gives. */
export interface KubeAccess {
  /** `https://host:port`, optionally with a path prefix (an API proxy in front of the server). */
  readonly server: string;
  /** PEM of the CA that signed the API server's certificate; absent: the system's roots. */
  readonly ca?: string;
  /** Client certificate and key (PEM). */
  readonly clientCert?: { readonly cert: string; readonly key: string };
  /** Bearer token, asked for on every call so a rotated token file is picked up. */
  readonly bearerToken?: () => Promise<string>;
}

export interface WatchHandle {
  abort(): void;
}

export interface KubeRestOptions {
  /**
   * A JSON call must be answered completely, and a watch must get its response headers, within this
   * (KUBE_API_TIMEOUT). Default 10 s: a frozen API server still accepts TCP connections, so only a
   * deadline tells it from a slow one.
   */
  readonly requestTimeoutMs?: number;
}

export interface WatchOptions {
  /**
   * An open watch that delivers no byte for this long is dead (KUBE_WATCH_SILENT). Default: the
   * server-side `timeoutSeconds` plus 30 s; with bookmarks asked for, callers pass much less.
   */
  readonly idleTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** A watch with no byte for longer than its own server-side timeout plus this is a dead connection. */
const WATCH_IDLE_MARGIN_MS = 30_000;
const MAX_JSON_BYTES = 32 * 1024 * 1024;

/** A request in flight and the deadline that ends it; `clear()` stops the deadline. */
interface Sent {
  readonly res: IncomingMessage;
  clear(): void;
}

/**
 * The few API calls a sidecar makes — JSON requests and watch streams — over node:https with a keep-alive
 * agent. Deliberately small: the full client (`@kubernetes/client-node`) costs ~1 s of start-up and
 * ~77 MiB of memory in every pod (ADR 0005). Every failure is a PortcullisError with a KUBE_* code.
 */
export class KubeRestClient {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly access: KubeAccess,
    opts: KubeRestOptions = {},
  ) {
    this.base = new URL(access.server);
    if (this.base.protocol !== 'https:') throw new PortcullisError('CONFIG_INVALID', `API server ${access.server}: only https:// is supported`);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.agent = new Agent({
      keepAlive: true,
      ...(access.ca === undefined ? {} : { ca: access.ca }),
      ...(access.clientCert === undefined ? {} : { cert: access.clientCert.cert, key: access.clientCert.key }),
    });
  }

  /** One JSON call, answered completely within the request timeout; a non-2xx answer rejects with a KubeApiError. */
  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const sent = await this.send(method, path, payload);
    let text: string;
    try {
      text = await readAll(sent.res, MAX_JSON_BYTES, `${method} ${path}`);
    } finally {
      sent.clear();
    }
    const status = sent.res.statusCode ?? 0;
    if (status < 200 || status > 299) throw kubeApiError(method, path, status, text);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new PortcullisError('KUBE_API_INVALID_ANSWER', `${method} ${path}: the answer is not JSON`, { cause: err });
    }
  }

  /**
   * Opens a watch (`?watch=true` plus `query`); `onEvent` gets each `{type, object}`; `onDone` fires once:
   * with nothing when the server ends the stream or `abort()` is called, with the error otherwise.
   */
  async watch(
    path: string,
    query: Record<string, string>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err?: unknown) => void,
    opts: WatchOptions = {},
  ): Promise<WatchHandle> {
    const qs = new URLSearchParams({ ...query, watch: 'true' }).toString();
    // The answer's headers must come as fast as a JSON call's; after that the stream may be quiet, but
    // not for longer than the idle timeout: then the connection is dead, not idle.
    const sent = await this.send('GET', `${path}?${qs}`, undefined);
    sent.clear();
    const { res } = sent;
    const serverTimeoutMs = Number(query.timeoutSeconds ?? 0) * 1000;
    const idleMs = opts.idleTimeoutMs ?? (serverTimeoutMs > 0 ? serverTimeoutMs + WATCH_IDLE_MARGIN_MS : 0);
    let finished = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (err?: unknown): void => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      onDone(err);
    };
    if (idleMs > 0) {
      idle = setTimeout(() => {
        finish(new PortcullisError('KUBE_WATCH_SILENT', `watch ${path}: no byte from the API server for ${idleMs / 1000} s; closing it as dead`));
        res.destroy();
      }, idleMs);
      idle.unref();
    }
    if (res.statusCode !== 200) {
      readAll(res, MAX_JSON_BYTES, `watch ${path}`).then(
        (text) => finish(kubeApiError('GET', path, res.statusCode ?? 0, text)),
        (err: unknown) => finish(err),
      );
      return { abort: () => res.destroy() };
    }
    const lines = new JsonLines((value) => {
      const { type, object } = (value ?? {}) as { type?: unknown; object?: unknown };
      if (typeof type !== 'string') throw new PortcullisError('KUBE_API_INVALID_ANSWER', `watch event without a type: ${JSON.stringify(value).slice(0, 120)}`);
      onEvent(type, object);
    });
    res.on('data', (chunk: Buffer) => {
      idle?.refresh();
      try {
        lines.push(chunk);
      } catch (err) {
        finish(isPortcullisError(err) ? err : new PortcullisError('KUBE_API_INVALID_ANSWER', `watch ${path}: ${(err as Error).message}`, { cause: err }));
        res.destroy();
      }
    });
    res.on('end', () => {
      try {
        lines.end();
        finish();
      } catch (err) {
        finish(isPortcullisError(err) ? err : new PortcullisError('KUBE_API_INVALID_ANSWER', `watch ${path}: ${(err as Error).message}`, { cause: err }));
      }
    });
    res.on('error', (err) => finish(unreachable(`watch ${path}`, err)));
    res.on('close', () => finish(res.complete ? undefined : new PortcullisError('KUBE_API_UNREACHABLE', `watch ${path}: connection closed mid-stream`)));
    return {
      abort: () => {
        finish();
        res.destroy();
      },
    };
  }

  /** Closes idle keep-alive connections (watches are aborted by their handles). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Sends one request; resolves at the response headers. The deadline keeps running (for the body) until
   * the caller clears it: when it passes, the request or the response is destroyed with KUBE_API_TIMEOUT.
   */
  private async send(method: string, path: string, body: Buffer | undefined): Promise<Sent> {
    const what = `${method} ${this.access.server}${path.split('?')[0] ?? ''}`;
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    if (this.access.bearerToken) {
      const token = (await this.access.bearerToken()).trim();
      if (token === '') throw new PortcullisError('KUBE_API_ERROR', `${what}: the API token is empty; the call was not sent`);
      headers.authorization = `Bearer ${token}`;
    }
    const options: RequestOptions = {
      method,
      host: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port === '' ? 443 : Number(this.base.port),
      path: `${this.base.pathname.replace(/\/+$/, '')}${path}`,
      headers,
      agent: this.agent,
    };
    const timeoutMs = this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      let res: IncomingMessage | undefined;
      const req: ClientRequest = request(options, (r) => {
        res = r;
        resolve({ res: r, clear: () => clearTimeout(deadline) });
      });
      const deadline = setTimeout(() => {
        const err = new PortcullisError('KUBE_API_TIMEOUT', `${what}: no complete answer from the API server within ${timeoutMs / 1000} s`);
        if (res) res.destroy(err);
        else req.destroy(err);
      }, timeoutMs);
      deadline.unref();
      req.on('error', (err) => {
        clearTimeout(deadline);
        reject(isPortcullisError(err) ? err : unreachable(what, err));
      });
      req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      req.end(body);
    });
  }
}

function unreachable(what: string, err: Error): PortcullisError {
  if (isPortcullisError(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new PortcullisError('KUBE_API_UNREACHABLE', `${what}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`, { cause: err });
}

function readAll(res: IncomingMessage, limit: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        res.destroy(new PortcullisError('KUBE_API_INVALID_ANSWER', `${what}: answer larger than ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', (err) => reject(unreachable(what, err)));
    res.on('close', () => {
      if (!res.complete) reject(new PortcullisError('KUBE_API_UNREACHABLE', `${what}: connection closed before the whole answer arrived`));
    });
  });
}
