// No request can end the process: whatever throws while one exchange is handled ends that exchange with a
// JSON error (500 INTERNAL with its request id), logged once; the sidecar keeps serving. And a credential
// that cannot be sent is refused when loaded, not when a request would carry it.
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SourceRuntime } from '../sources/runtime.js';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { errorCode, errorMessage, send } from '../test-support/client.js';
import { httpSource, policy } from '../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

const KEY = 'crash-safety-key';
const pki = testPki();

describe('an exchange that throws ends alone', () => {
  let upstream: Upstream;
  let h: Harness;
  let source: SourceRuntime;
  let realPrepare: SourceRuntime['prepare'];

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers.authorization === `Bearer ${KEY}`, (req, res) => {
      req.resume();
      req.on('end', () => json(res, 200, { ok: true }));
    });
    h = await startHarness({
      port: 18082,
      sources: [httpSource('api', 18082, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api', key: 'key' } })],
      policies: [policy('agent', [{ name: 'all', effect: 'Allow', source: 'api', paths: ['/**'] }])],
      secrets: { api: { key: KEY } },
    });
    const found = h.state.snapshot().source(18082);
    if (!found) throw new Error('the harness serves no source on 18082');
    source = found;
    realPrepare = source.prepare.bind(source);
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  const drive = async (prepare: SourceRuntime['prepare'], request: Parameters<typeof send>[1]): Promise<void> => {
    source.prepare = prepare;
    try {
      const res = await send(h.url, request);
      expect(res.status).toBe(500);
      expect(errorCode(res)).toBe('INTERNAL');
      const requestId = res.headers['x-portcullis-request-id'];
      expect(typeof requestId).toBe('string');
      expect(errorMessage(res)).toContain(String(requestId));
      // Logged once, under its request id.
      await eventually(() => expect(h.output().split('\n').filter((l) => l.includes(`"requestId":"${String(requestId)}"`) && l.includes('unexpected error')).length).toBe(1));
    } finally {
      source.prepare = realPrepare;
    }
    // The same source, and the process, keep serving.
    expect((await send(h.url, { path: '/after' })).status).toBe(200);
  };

  it('answers 500 INTERNAL for a header value Node refuses to send', async () => {
    await drive((req, classified, query) => {
      const out = realPrepare(req, classified, query) as Awaited<ReturnType<SourceRuntime['prepare']>>;
      return { ...out, headers: { ...out.headers, 'x-injected': 'line\r\nbreak' } };
    }, { path: '/bad-header' });
  });

  it('answers 500 INTERNAL for an origin that throws', async () => {
    await drive(() => {
      throw new TypeError('origin exploded');
    }, { path: '/throwing-origin' });
  });

  it('answers 500 INTERNAL for an origin whose promise rejects with a plain error', async () => {
    await drive(() => Promise.reject(new Error('token endpoint said no')), { path: '/rejecting-origin' });
  });

  it('answers 500 INTERNAL for a rewrite that fails mid-body, and sends nothing upstream', async () => {
    const before = upstream.received.length;
    await drive((req, classified, query) => {
      const out = realPrepare(req, classified, query) as Awaited<ReturnType<SourceRuntime['prepare']>>;
      let chunks = 0;
      const transform = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          if (++chunks > 1) return cb(new Error('rewrite failed mid-body'));
          cb(null, chunk);
        },
      });
      return { ...out, transform };
    }, { method: 'POST', path: '/failing-rewrite', headers: { 'transfer-encoding': 'chunked' }, body: 'x'.repeat(200_000) });
    // Whatever reached the upstream was cut short, never completed as a request.
    const arrived = upstream.received.slice(before).filter((r) => r.url === '/failing-rewrite');
    expect(arrived.every((r) => r.aborted)).toBe(true);
  });
});

describe('a credential that cannot be sent', () => {
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
  });
  afterAll(async () => {
    await upstream.close();
  });

  const harnessWith = (secret: string, injection: Parameters<typeof httpSource>[2]['injection'] = { type: 'Bearer' }): Promise<Harness> =>
    startHarness({
      port: 18083,
      sources: [httpSource('blank', 18083, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection, secretRef: { name: 'blank', key: 'key' } })],
      policies: [policy('agent', [{ name: 'all', effect: 'Allow', source: 'blank', paths: ['/**'] }])],
      secrets: { blank: { key: secret } },
    });

  it('trims the one trailing newline a Secret file keeps', async () => {
    const h = await harnessWith(`${KEY}\n`);
    try {
      expect((await send(h.url, { path: '/v1/x' })).status).toBe(200);
      expect(h.state.credentialProblems()).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it.each([
    ['a Secret ending in a blank line', `${KEY}\n\n`, /LF \(a line break\)/],
    ['a CR inside the value', `${KEY}\rX-Injected: 1`, /CR \(a line break\)/],
    ['a NUL', `${KEY}\u0000`, /NUL/],
    ['non-ASCII for a header', `${KEY}é`, /non-ASCII character/],
  ])('refuses %s at load with CREDENTIAL_INVALID, and never sends it', async (_name, secret, reason) => {
    const h = await harnessWith(secret);
    try {
      const before = upstream.received.length;
      const res = await send(h.url, { path: '/v1/x' });
      expect(res.status).toBe(503);
      expect(errorCode(res)).toBe('CREDENTIAL_INVALID');
      expect(errorMessage(res)).toMatch(reason);
      expect(errorMessage(res)).toContain('source "blank"');
      expect(upstream.received.length).toBe(before);
      const problems = h.state.credentialProblems();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(reason);
      // The log names the source, the file and the reason — and never the value.
      const log = h.output();
      const line = log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'credential unavailable');
      expect(line).toMatchObject({ source: 'blank', code: 'CREDENTIAL_INVALID', path: expect.stringMatching(/blank\/key$/) });
      expect(String(line?.reason)).toMatch(reason);
      expect(log).not.toContain(KEY);
      expect(await h.metrics.registry.getSingleMetricAsString('portcullis_sidecar_credential_reloads_total')).toContain('result="invalid"} 1');
    } finally {
      await h.close();
    }
  });

  it('accepts non-ASCII where the injection encodes it (Basic)', async () => {
    const h = await harnessWith('pässword', { type: 'Basic', basic: { username: 'u' } });
    try {
      expect(h.state.credentialProblems()).toEqual([]);
      const res = await send(h.url, { path: '/v1/x' });
      // The upstream wants the Bearer key, so 401 — but the request was sent with the encoded value.
      expect(res.status).toBe(401);
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('u:pässword', 'utf8').toString('base64')}`);
    } finally {
      await h.close();
    }
  });

  it('serves again once the value is fixed, without a restart', async () => {
    const h = await harnessWith(`${KEY}\n\n`);
    try {
      expect((await send(h.url, { path: '/v1/x' })).status).toBe(503);
      h.setSecret('blank', 'key', `${KEY}\n`);
      await eventually(async () => expect((await send(h.url, { path: '/v1/x' })).status).toBe(200), 3000);
      expect(h.state.credentialProblems()).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
