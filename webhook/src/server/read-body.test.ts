import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readBody } from './read-body.js';

let server: Server | undefined;

/** A loopback server whose handler reads each body with readBody; resolves with what readBody gave. */
async function serve(maxBytes: number): Promise<{ port: number; next: () => Promise<{ body?: Buffer; err?: Error; req: IncomingMessage }> }> {
  const results: ((r: { body?: Buffer; err?: Error; req: IncomingMessage }) => void)[] = [];
  const pending: { body?: Buffer; err?: Error; req: IncomingMessage }[] = [];
  const deliver = (r: { body?: Buffer; err?: Error; req: IncomingMessage }): void => {
    const waiter = results.shift();
    if (waiter) waiter(r);
    else pending.push(r);
  };
  server = createServer((req, res) => {
    readBody(req, maxBytes).then(
      (body) => {
        deliver({ body, req });
        res.end('ok');
      },
      (err: unknown) => {
        deliver({ err: err as Error, req });
        if (!res.headersSent && !req.destroyed) res.writeHead(413).end();
      },
    );
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, next: () => new Promise((r) => (pending.length > 0 ? r(pending.shift() as never) : results.push(r))) };
}

/** A chunked POST (no content-length) that writes `chunks` and, unless `abort`, ends. */
function post(port: number, chunks: readonly string[], opts: { abort?: boolean; headers?: Record<string, string> } = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', headers: opts.headers ?? {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    for (const c of chunks) req.write(c);
    if (opts.abort) setTimeout(() => req.destroy(), 50);
    else req.end();
  });
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('readBody', () => {
  it('reads a body sent in several chunks', async () => {
    const { port, next } = await serve(1024);
    const status = post(port, ['{"a":', '1', '}']);
    expect((await next()).body?.toString('utf8')).toBe('{"a":1}');
    expect(await status).toBe(200);
  });

  it('refuses a declared length over the limit before reading anything', async () => {
    const { port, next } = await serve(10);
    void post(port, ['x'.repeat(11)], { headers: { 'content-length': '11' } });
    const r = await next();
    expect(r.err).toMatchObject({ code: 'ADMISSION_BODY_TOO_LARGE' });
    expect(r.req.readableEnded).toBe(false);
  });

  it('stops reading a chunked body once it passes the limit and destroys the request', async () => {
    const { port, next } = await serve(10);
    void post(port, ['x'.repeat(8), 'x'.repeat(8), 'x'.repeat(8)], { abort: true });
    const r = await next();
    expect(r.err).toMatchObject({ code: 'ADMISSION_BODY_TOO_LARGE' });
    expect(r.req.destroyed).toBe(true);
  });

  it('fails, not hangs, when the client goes away in the middle of the body', async () => {
    const { port, next } = await serve(1024);
    void post(port, ['{"a":'], { abort: true });
    const r = await next();
    expect(r.err?.message).toMatch(/aborted|Premature close/);
    expect(r.body).toBeUndefined();
  });
});
