import type { IncomingMessage } from 'node:http';
import { Agent, request, type RequestOptions } from 'node:https';
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

const JSON_TIMEOUT_MS = 30_000;
/** A watch with no byte for longer than its own server-side timeout plus this is a dead connection. */
const WATCH_IDLE_MARGIN_MS = 30_000;
const MAX_JSON_BYTES = 32 * 1024 * 1024;

/**
 * The few API calls a sidecar makes — JSON requests and watch streams — over node:https with a keep-alive
 * agent. Deliberately small: the full client (`@kubernetes/client-node`) costs ~1 s of start-up and
 * ~77 MiB of memory in every pod (ADR 0005).
 */
export class KubeRestClient {
  private readonly base: URL;
  private readonly agent: Agent;

  constructor(private readonly access: KubeAccess) {
    this.base = new URL(access.server);
    if (this.base.protocol !== 'https:') throw new Error(`API server ${access.server}: only https:// is supported`);
    this.agent = new Agent({
      keepAlive: true,
      ...(access.ca === undefined ? {} : { ca: access.ca }),
      ...(access.clientCert === undefined ? {} : { cert: access.clientCert.cert, key: access.clientCert.key }),
    });
  }

  /** One JSON call; a non-2xx answer rejects with a KubeApiError naming the Status reason. */
  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await this.send(method, path, payload, JSON_TIMEOUT_MS);
    const text = await readAll(res, MAX_JSON_BYTES);
    if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) throw kubeApiError(method, path, res.statusCode ?? 0, text);
    return JSON.parse(text) as T;
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
  ): Promise<WatchHandle> {
    const qs = new URLSearchParams({ ...query, watch: 'true' }).toString();
    // The answer's headers must come as fast as a JSON call's; after that the stream may be quiet until
    // the server ends it at timeoutSeconds, but not longer: then the connection is dead, not idle.
    const res = await this.send('GET', `${path}?${qs}`, undefined, JSON_TIMEOUT_MS);
    const serverTimeoutMs = Number(query.timeoutSeconds ?? 0) * 1000;
    res.socket.setTimeout(serverTimeoutMs > 0 ? serverTimeoutMs + WATCH_IDLE_MARGIN_MS : 0);
    let finished = false;
    const finish = (err?: unknown): void => {
      if (finished) return;
      finished = true;
      onDone(err);
    };
    if (res.statusCode !== 200) {
      readAll(res, MAX_JSON_BYTES).then(
        (text) => finish(kubeApiError('GET', path, res.statusCode ?? 0, text)),
        (err: unknown) => finish(err),
      );
      return { abort: () => res.destroy() };
    }
    const lines = new JsonLines((value) => {
      const { type, object } = (value ?? {}) as { type?: unknown; object?: unknown };
      if (typeof type !== 'string') throw new Error(`watch event without a type: ${JSON.stringify(value).slice(0, 120)}`);
      onEvent(type, object);
    });
    res.on('data', (chunk: Buffer) => {
      try {
        lines.push(chunk);
      } catch (err) {
        finish(err);
        res.destroy();
      }
    });
    res.on('end', () => {
      try {
        lines.end();
        finish();
      } catch (err) {
        finish(err);
      }
    });
    res.on('error', (err) => finish(err));
    res.on('close', () => finish(res.complete ? undefined : new Error(`watch ${path}: connection closed mid-stream`)));
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

  private async send(method: string, path: string, body: Buffer | undefined, timeoutMs: number | undefined): Promise<IncomingMessage> {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    if (this.access.bearerToken) {
      const token = (await this.access.bearerToken()).trim();
      if (token === '') throw new Error(`${method} ${path}: the API token is empty`);
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
    return new Promise((resolve, reject) => {
      const req = request(options, resolve);
      req.on('error', (err) => reject(new Error(`${method} ${this.access.server}${path}: ${err.message}`, { cause: err })));
      req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`nothing from the API server for ${(req.socket?.timeout ?? timeoutMs) / 1000} s`)));
      }
      req.end(body);
    });
  }
}

function readAll(res: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        res.destroy(new Error(`answer larger than ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('connection closed before the whole answer arrived'));
    });
  });
}
