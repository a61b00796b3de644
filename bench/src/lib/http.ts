import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { Proc } from './procs.ts';
import { sleep } from './procs.ts';

export interface HttpSpec {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * The Host a request names when it is not the URL's authority (iron-proxy's plain listener routes by Host,
 * so its app names the upstream there); undefined when the load tools' default Host is already right.
 */
export function hostOverride(spec: HttpSpec): string | undefined {
  const host = spec.headers.host;
  return host !== undefined && host !== new URL(spec.url).host ? host : undefined;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One request with a keep-alive agent; never throws for an HTTP status, only for a transport error. */
export function send(spec: HttpSpec, timeoutMs = 10_000): Promise<Reply> {
  const u = new URL(spec.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: spec.method, path: `${u.pathname}${u.search}`, headers: spec.headers, agent, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** Polls `url` until it answers 200 (or `ok` accepts the reply); fails with the process's output. */
export async function waitForHttp(url: string, timeoutMs: number, proc?: Proc, ok: (r: Reply) => boolean = (r) => r.status === 200): Promise<Reply> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.tail()}`);
    try {
      const r = await send({ method: 'GET', url, headers: {} }, 1000);
      if (ok(r)) return r;
      last = `${r.status} ${r.body.slice(0, 300)}`;
    } catch (err) {
      last = String(err);
    }
    if (performance.now() > deadline) throw new Error(`${url} not ready in ${timeoutMs} ms (last: ${last})${proc ? `\n${proc.tail()}` : ''}`);
    await sleep(5);
  }
}

/** A free loopback port for processes that need one up front (nginx, the sidecar's source ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function destroyAgent(): void {
  agent.destroy();
}
