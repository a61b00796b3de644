// The response timeout (--upstream-response-timeout-seconds) is the wait for the upstream's answer after
// the request's last byte: a long upload that keeps moving must not be cut, a silent upstream or a
// stalled upload must be.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../test-support/harness.js';
import { errorCode, send, type RawResponse } from '../test-support/client.js';
import { httpSource, policy } from '../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

const pki = testPki();
const KEY = 'timeout-key';
const TIMEOUT_MS = 400;

/** PUTs `chunks` chunks of 1 KiB, `gapMs` apart, declaring `declared` chunks in Content-Length. */
function pacedUpload(url: string, path: string, chunks: number, gapMs: number, declared = chunks): Promise<RawResponse & { ms: number; lastByteAt: number }> {
  const u = new URL(url);
  const chunk = Buffer.alloc(1024, 0x61);
  const started = Date.now();
  let lastByteAt = started;
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: 'PUT', path, headers: { 'content-length': String(declared * chunk.length) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started, lastByteAt }));
    });
    req.on('error', reject);
    let sent = 0;
    const next = (): void => {
      req.write(chunk);
      lastByteAt = Date.now();
      sent++;
      if (sent < chunks) setTimeout(next, gapMs);
      else if (sent === declared) req.end();
      // else: stall with the body incomplete
    };
    next();
  });
}

describe('the upstream response timeout', () => {
  let upstream: Upstream;
  let h: Harness;

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers.authorization === `Bearer ${KEY}`, (req, res) => {
      if (req.url === '/v1/upload') {
        req.on('end', () => json(res, 200, { ok: true }));
        req.resume();
      } else if (req.url === '/v1/silent') {
        req.resume(); // reads everything, never answers
      } else {
        json(res, 404, {});
      }
    });
    h = await startHarness({
      port: 18080,
      sources: [httpSource('api', 18080, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api', key: 'k' } })],
      policies: [policy('all', [{ effect: 'Allow', source: 'api' }])],
      secrets: { api: { k: KEY } },
      responseTimeoutMs: TIMEOUT_MS,
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('does not cut an upload that takes longer than the timeout but keeps moving', async () => {
    // 8 chunks 150 ms apart: ~1050 ms of upload, 2.6× the timeout, never 400 ms without a byte.
    const res = await pacedUpload(h.url, '/v1/upload', 8, 150);
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThan(2 * TIMEOUT_MS);
    expect(upstream.received.at(-1)?.bodyBytes).toBe(8 * 1024);
  });

  it('answers 504 UPSTREAM_TIMEOUT when the upstream stays silent after the last byte', async () => {
    const started = Date.now();
    const res = await send(h.url, { method: 'POST', path: '/v1/silent', body: 'x'.repeat(100) });
    expect(res.status).toBe(504);
    expect(errorCode(res)).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  });

  it('ends an upload that stops moving, counted from its last byte', async () => {
    // 3 of 10 declared chunks, then nothing: the exchange ends TIMEOUT_MS after the third chunk.
    const res = await pacedUpload(h.url, '/v1/silent', 3, 150, 10);
    expect(res.status).toBe(504);
    expect(errorCode(res)).toBe('UPSTREAM_TIMEOUT');
    expect(res.ms).toBeGreaterThanOrEqual(2 * 150 + TIMEOUT_MS - 20);
  });
});
