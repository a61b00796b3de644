// What an upstream sends back must never desynchronise the app's connection or a pooled upstream one:
// malformed responses end the exchange with 502 and close the connection; a connection on which anything
// unusual happened is never reused. The upstream here is a raw TCP server that writes exact bytes.
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { errorCode, send, type RawResponse } from '../test-support/client.js';
import { httpSource, policy } from '../test-support/resources.js';

const KEY = 'raw-upstream-key';

interface RawUpstream {
  readonly url: string;
  /** Connections accepted so far. */
  connections: number;
  /** What to answer to the next request head, by request path. */
  answers: Map<string, string | ((socket: Socket) => void)>;
  /** Bytes received per connection. */
  received: string[];
  close(): Promise<void>;
}

async function startRawUpstream(): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  const up: RawUpstream = { url: '', connections: 0, answers: new Map(), received: [], close: () => Promise.resolve() };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = up.connections++;
    up.received[index] = '';
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      up.received[index] += d.toString('latin1');
      buffered += d.toString('latin1');
      // Answer each complete head (these tests send no request bodies unless they say so).
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const path = head.split(' ')[1] ?? '';
        const answer = up.answers.get(path) ?? 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
        if (typeof answer === 'string') socket.write(answer);
        else answer(socket);
      }
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(up, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

/** Like `send`, but a response cut short resolves with `complete: false` instead of hanging. */
function sendWatching(url: string, path: string): Promise<RawResponse & { complete: boolean }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, complete: res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('upstream responses that break HTTP/1.1 framing', () => {
  let up: RawUpstream;
  let h: Harness;

  beforeAll(async () => {
    up = await startRawUpstream();
    h = await startHarness({
      port: 18081,
      sources: [httpSource('raw', 18081, { upstream: up.url, allowPlaintextUpstream: true, injection: { type: 'Bearer' }, secretRef: { name: 'raw', key: 'key' } })],
      policies: [policy('agent', [{ name: 'all', effect: 'Allow', source: 'raw', paths: ['/**'] }])],
      secrets: { raw: { key: KEY } },
    });
  });
  afterEach(() => up.answers.clear());
  afterAll(async () => {
    await h.close();
    await up.close();
  });

  it.each([
    ['both Content-Length and Transfer-Encoding', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!'],
    ['an invalid chunk size before any body', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'],
    ['a 101 Switching Protocols nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'],
  ])('answers 502 UPSTREAM_PROTOCOL_ERROR (or closes the connection) for %s, and the next call gets a fresh connection', async (_name, answer) => {
    up.answers.set('/bad', answer);
    const res = await sendWatching(h.url, '/bad');
    if (res.status === 502) {
      expect(errorCode(res)).toBe('UPSTREAM_PROTOCOL_ERROR');
    } else {
      // The status had already gone to the app (a chunked body fails later): the app's response is cut.
      expect(res.complete).toBe(false);
    }
    const next = await send(h.url, { path: '/fine' });
    expect(next.status).toBe(200);
    expect(next.body).toBe('ok');
    // The malformed exchange's connection is gone: the good call did not share it.
    const last = up.received[up.received.length - 1] ?? '';
    expect(last).toContain('GET /fine ');
    expect(last).not.toContain('GET /bad ');
  });

  it('cuts the app connection when a chunked body turns invalid after the status went out', async () => {
    up.answers.set('/midway', (socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
      setTimeout(() => socket.write('zz\r\nbroken\r\n0\r\n\r\n'), 50);
    });
    const cut = await sendWatching(h.url, '/midway');
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect((await send(h.url, { path: '/after-midway' })).status).toBe(200);
    const audit = h.audit.find((a) => a.path === '/midway');
    expect(audit?.error).toBe('UPSTREAM_PROTOCOL_ERROR');
  });

  it('never lets a body sent after a 204 answer the next request on that connection', async () => {
    up.answers.set('/no-content', (socket) => {
      socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      // A response nobody asked for, arriving while the connection sits in the pool.
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nSMUGGLED'), 30);
    });
    const first = await send(h.url, { path: '/no-content' });
    expect(first.status).toBe(204);
    await new Promise((r) => setTimeout(r, 100));
    const next = await send(h.url, { path: '/real' });
    expect(next.status).toBe(200);
    expect(next.body).toBe('ok');
  });

  it('does not reuse a connection whose upstream answered before the request body was sent', async () => {
    let earlySocketClosed = false;
    up.answers.set('/early', (socket) => {
      socket.write('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\n\r\n');
      // Read nothing for a while: the sidecar is still sending when the answer arrives.
      socket.pause();
      setTimeout(() => socket.resume(), 200);
      socket.on('close', () => (earlySocketClosed = true));
    });
    const big = 'x'.repeat(8 * 1024 * 1024);
    const early = await send(h.url, { method: 'POST', path: '/early', headers: { 'content-length': String(big.length) }, body: big }).catch(() => ({ status: 0 }));
    expect([413, 0]).toContain(early.status);
    const next = await send(h.url, { path: '/after-early' });
    expect(next.status).toBe(200);
    // The connection that carried the early answer carried nothing after it.
    const earlyConnection = up.received.find((r) => r.includes('POST /early ')) ?? '';
    expect(earlyConnection).not.toBe('');
    expect(earlyConnection.slice(earlyConnection.indexOf('POST /early '))).not.toContain('/after-early');
    expect(up.received.some((r) => r.includes('GET /after-early '))).toBe(true);
    await eventually(() => expect(earlySocketClosed).toBe(true));
  });
});
