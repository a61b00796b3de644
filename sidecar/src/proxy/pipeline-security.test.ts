import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startHarness, TEST_IDENTITY, type Harness } from '../test-support/harness.js';
import { errorCode, errorMessage, send, type RawResponse } from '../test-support/client.js';
import { httpSource, policy } from '../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

// A canary credential: the test fails if it shows up anywhere the app or an operator could read it.
const CANARY = 'CANARY-7d1e9f0a-do-not-leak';
const ROTATED = 'CANARY-rotated-2b4c';
const pki = testPki();

describe('sidecar security properties', () => {
  let upstream: Upstream;
  let h: Harness;
  const responses: RawResponse[] = [];
  const call = async (opts: Parameters<typeof send>[1]): Promise<RawResponse> => {
    const res = await send(h.url, opts);
    responses.push(res);
    return res;
  };

  beforeAll(async () => {
    const validKeys = new Set([`Bearer ${CANARY}`, `Bearer ${ROTATED}`]);
    upstream = await startUpstream(pki, (req) => validKeys.has(req.headers.authorization ?? ''), (req, res) => {
      if (req.url?.startsWith('/v1/redirect')) {
        res.writeHead(302, { location: 'https://elsewhere.example/steal' }).end();
        return;
      }
      json(res, 200, { ok: true, path: req.url });
    });
    h = await startHarness({
      port: 18080,
      sources: [httpSource('api', 18080, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api', key: 'key' } })],
      policies: [
        policy('agent', [
          { name: 'chat', effect: 'Allow', source: 'api', paths: ['/v1/chat/**', '/v1/redirect'] },
          { name: 'no-admin', effect: 'Deny', source: 'api', paths: ['/v1/chat/admin/**'] },
        ]),
      ],
      secrets: { api: { key: CANARY } },
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it.each([
    ['/v1/chat/../admin', '/v1/admin'],
    ['/v1/chat/%2e%2e/admin', '/v1/admin'],
    ['/v1/chat/%2E%2E/%2e%2e/admin', '/admin'],
    ['/v1/chat/./..//admin', '/v1/admin'],
  ])('does not let %s slip out of the allowed prefix', async (path, normalized) => {
    const before = upstream.received.length;
    const res = await call({ path });
    expect(res.status).toBe(403);
    expect(errorMessage(res)).toContain(`GET ${normalized} to source "api"`);
    expect(upstream.received.length).toBe(before);
  });

  it('decides and forwards the same normalized path', async () => {
    const res = await call({ path: '/v1//chat/./x/../completions?stream=false' });
    expect(res.status).toBe(200);
    expect(upstream.received.at(-1)?.url).toBe('/v1/chat/completions?stream=false');
  });

  it('applies a deny rule over an allow rule, also through encoded dots', async () => {
    const res = await call({ path: '/v1/chat/x/%2e%2e/admin/users' });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('POLICY_DENIED');
    expect(errorMessage(res)).toContain('denied by rule "no-admin" of EgressPolicy team-a/agent');
  });

  it.each([['/v1/chat%2F..%2Fadmin'], ['/v1/chat/a%5c..%5cadmin'], ['/v1/chat/%00']])('rejects %s with PATH_REJECTED and forwards nothing', async (path) => {
    const before = upstream.received.length;
    const res = await call({ path });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('PATH_REJECTED');
    expect(upstream.received.length).toBe(before);
  });

  it('strips every credential the app sends and injects only the real one', async () => {
    const res = await call({
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer placeholder', 'x-api-key': 'stolen', cookie: 'session=1', 'proxy-authorization': 'Basic eDp5', 'x-trace': 't1' },
    });
    expect(res.status).toBe(200);
    const got = upstream.received.at(-1)?.headers ?? {};
    expect(got.authorization).toBe(`Bearer ${CANARY}`);
    expect(got['x-api-key']).toBeUndefined();
    expect(got.cookie).toBeUndefined();
    expect(got['proxy-authorization']).toBeUndefined();
    expect(got['x-trace']).toBe('t1');
  });

  it('returns redirects to the app instead of following them', async () => {
    const before = upstream.received.length;
    const res = await call({ path: '/v1/redirect' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://elsewhere.example/steal');
    expect(upstream.received.length).toBe(before + 1);
  });

  it('refuses every request while identity is unverified, with an audit line', async () => {
    h.setIdentity(undefined);
    try {
      const res = await call({ path: '/v1/chat/completions' });
      expect(res.status).toBe(503);
      expect(errorCode(res)).toBe('IDENTITY_UNAVAILABLE');
      await eventually(() => expect(h.audit.at(-1)).toMatchObject({ error: 'IDENTITY_UNAVAILABLE', workload: null, status: 503 }));
    } finally {
      h.setIdentity(TEST_IDENTITY);
    }
  });

  it('picks up a rotated credential without a restart, and fails closed when it disappears', async () => {
    h.setSecret('api', 'key', ROTATED);
    await eventually(async () => {
      await call({ path: '/v1/chat/completions' });
      expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${ROTATED}`);
    }, 3000);
    h.removeSecret('api', 'key');
    let res: RawResponse | undefined;
    await eventually(async () => {
      res = await call({ path: '/v1/chat/completions' });
      expect(res.status).toBe(503);
    }, 3000);
    expect(errorCode(res as RawResponse)).toBe('CREDENTIAL_UNAVAILABLE');
    h.setSecret('api', 'key', CANARY);
    await eventually(async () => expect((await call({ path: '/v1/chat/completions' })).status).toBe(200), 3000);
  });

  it('never shows the credential in logs, audit lines, error bodies or metrics', async () => {
    await eventually(() => expect(h.audit.length).toBeGreaterThan(10));
    const metricsText = await h.metrics.registry.metrics();
    for (const secret of [CANARY, ROTATED]) {
      expect(h.output()).not.toContain(secret);
      expect(JSON.stringify(h.audit)).not.toContain(secret);
      expect(metricsText).not.toContain(secret);
      for (const res of responses) {
        expect(res.body).not.toContain(secret);
        expect(JSON.stringify(res.headers)).not.toContain(secret);
      }
    }
  });
});

describe('sidecar upstream failures', () => {
  it('answers 502 UPSTREAM_UNREACHABLE naming the upstream when nothing listens', async () => {
    const h = await startHarness({
      port: 18080,
      sources: [httpSource('down', 18080, { upstream: 'https://127.0.0.1:1', injection: { type: 'Bearer' }, secretRef: { name: 's', key: 'k' } })],
      policies: [policy('all', [{ effect: 'Allow', source: 'down' }])],
      secrets: { down: { k: 'x' } },
    });
    try {
      const res = await send(h.url, { path: '/v1/x' });
      expect(res.status).toBe(502);
      expect(errorCode(res)).toBe('UPSTREAM_UNREACHABLE');
      expect(res.body).toContain('127.0.0.1:1');
    } finally {
      await h.close();
    }
  });

  it('refuses an upstream whose certificate is not from a trusted CA (502 UPSTREAM_TLS_FAILED)', async () => {
    const upstream = await startUpstream(pki, () => true, (_req, res) => json(res, 200, {}));
    const other = testPki();
    const h = await startHarness({
      port: 18080,
      sources: [httpSource('tls', 18080, { upstream: upstream.url, caBundle: other.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 's', key: 'k' } })],
      policies: [policy('all', [{ effect: 'Allow', source: 'tls' }])],
      secrets: { tls: { k: 'x' } },
    });
    try {
      const res = await send(h.url, { path: '/v1/x' });
      expect(res.status).toBe(502);
      expect(errorCode(res)).toBe('UPSTREAM_TLS_FAILED');
      expect(upstream.received).toHaveLength(0);
    } finally {
      await h.close();
      await upstream.close();
    }
  });
});
