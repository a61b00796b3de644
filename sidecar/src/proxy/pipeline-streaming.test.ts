import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { send } from '../test-support/client.js';
import { httpSource, policy } from '../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

const pki = testPki();
const KEY = 'stream-key';

describe('streaming through the sidecar', () => {
  let upstream: Upstream;
  let h: Harness;
  let secondEventSentAt = 0;

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers.authorization === `Bearer ${KEY}`, (req, res) => {
      if (req.url === '/v1/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('data: one\n\n');
        setTimeout(() => {
          secondEventSentAt = Date.now();
          res.end('data: two\n\n');
        }, 400);
      } else if (req.url === '/v1/upload') {
        req.on('end', () => json(res, 200, { ok: true }));
        req.resume();
      } else if (req.url === '/v1/slow-upload') {
        req.resume(); // never answers: the client will go away
      } else if (req.url === '/v1/dies-mid-body') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100000' });
        res.write(Buffer.alloc(1000, 0x62), () => setTimeout(() => req.socket.destroy(), 50));
      } else {
        json(res, 404, {});
      }
    });
    h = await startHarness({
      port: 18080,
      sources: [httpSource('api', 18080, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api', key: 'k' } })],
      policies: [policy('all', [{ effect: 'Allow', source: 'api' }])],
      secrets: { api: { k: KEY } },
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('delivers server-sent events one by one, not at the end of the stream', async () => {
    const arrivals: { at: number; text: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const u = new URL(h.url);
      const req = request({ host: u.hostname, port: u.port, path: '/v1/events', headers: { accept: 'text/event-stream' } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => arrivals.push({ at: Date.now(), text: chunk }));
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(arrivals.map((a) => a.text).join('')).toBe('data: one\n\ndata: two\n\n');
    expect(arrivals[0]?.text).toBe('data: one\n\n');
    expect(arrivals[0]?.at ?? Infinity).toBeLessThan(secondEventSentAt);
  });

  it('streams a 256 MiB upload through without holding it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const total = 256;
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(h.url);
      const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: '/v1/upload', headers: { 'content-length': String(total * chunk.length) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(200);
    expect(upstream.received.at(-1)?.bodyBytes).toBe(total * chunk.length);
    await eventually(() => expect(h.audit.at(-1)?.bytesIn).toBe(total * chunk.length));
  });

  it('aborts the upstream request when the app disconnects', async () => {
    const u = new URL(h.url);
    const req = request({ host: u.hostname, port: u.port, method: 'POST', path: '/v1/slow-upload', headers: { 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.write('partial body');
    await eventually(() => expect(upstream.received.at(-1)?.url).toBe('/v1/slow-upload'));
    const rec = upstream.received.at(-1);
    expect(rec?.aborted).toBe(false);
    req.destroy();
    await eventually(() => expect(rec?.aborted).toBe(true));
  });

  it('cuts the app\'s response short when the upstream dies mid-body, so a truncated body never looks complete', async () => {
    const u = new URL(h.url);
    const outcome = await new Promise<{ bytes: number; complete: boolean }>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, path: '/v1/dies-mid-body' }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('error', () => undefined);
        res.on('close', () => resolve({ bytes, complete: res.complete }));
      });
      req.on('error', () => resolve({ bytes: -1, complete: false }));
      req.end();
    });
    expect(outcome.complete).toBe(false);
    expect(outcome.bytes).toBeLessThan(100000);
    await eventually(() => expect(h.audit.at(-1)).toMatchObject({ path: '/v1/dies-mid-body', status: 200, error: 'UPSTREAM_UNREACHABLE' }));
  });
});

describe('audit mode and query injection', () => {
  it('forwards in Audit mode, records the would-deny, injects by query and redacts it in the audit line', async () => {
    const upstream = await startUpstream(pki, (req) => new URL(req.url ?? '', 'http://x').searchParams.getAll('key').join() === 'q-real', (_req, res) => json(res, 200, {}));
    const h = await startHarness({
      port: 18080,
      sources: [httpSource('maps', 18080, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'QueryParameter', queryParameter: { name: 'key' } }, secretRef: { name: 'm', key: 'k' } })],
      policies: [policy('observe', [{ effect: 'Allow', source: 'maps', paths: ['/geocode'] }], { mode: 'Audit' })],
      secrets: { maps: { k: 'q-real' } },
    });
    try {
      const res = await send(h.url, { path: '/directions?from=a&key=placeholder' });
      expect(res.status).toBe(200);
      expect(upstream.received.at(-1)?.url).toBe('/directions?from=a&key=q-real');
      await eventually(() =>
        expect(h.audit.at(-1)).toMatchObject({
          query: 'from=a&key=REDACTED',
          decision: { effect: 'Deny', mode: 'Audit', forwarded: true, reason: 'no rule allows it', policy: 'team-a/observe' },
        }),
      );
      expect(h.output()).not.toContain('q-real');
    } finally {
      await h.close();
      await upstream.close();
    }
  });
});
