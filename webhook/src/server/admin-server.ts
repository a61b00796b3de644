import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainServer } from '@portcullis/shared/http';
import type { Registry } from 'prom-client';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** Plain HTTP on its own port: /metrics, /healthz (the process serves) and /readyz (it can admit pods). */
export function createAdminServer(registry: Registry, readiness: () => Readiness): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}`),
      );
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const r = readiness();
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(r.ready ? 'ok\n' : `not ready: ${r.reasons.join('; ')}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}

export async function listen(server: Server, port: number, address: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** Stops the admin server; a probe or scrape still open after 1 s is cut. */
export async function close(server: Server): Promise<void> {
  await drainServer(server, { deadlineMs: 1_000 });
}
