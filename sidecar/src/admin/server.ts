import type { Server } from 'node:http';
import { nodeHttp } from '@portcullis/shared/http';
import type { Registry } from 'prom-client';

export interface AdminChecks {
  /**
   * Ready: identity verified and policies/sources synced; `reasons` says what is missing. `rejected`
   * lists invalid objects and files, `credentials` sources whose credential cannot be used: reported, but
   * not a reason to be unready (the rest keeps serving). `ports`: source ports listened on right now.
   */
  readiness(): { ready: boolean; reasons: string[]; rejected?: string[]; credentials?: string[]; ports?: number[] };
}

/** /healthz (the process serves), /readyz (it can decide requests) and /metrics, on their own port. */
export function createAdminServer(registry: Registry, checks: AdminChecks): Server {
  return nodeHttp.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const { ready, reasons, rejected = [], credentials = [], ports = [] } = checks.readiness();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ready, reasons, rejected, credentials, ports }));
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
    }
  });
}
