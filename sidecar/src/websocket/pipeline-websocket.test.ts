// WebSocket upgrades through the real request pipeline (harness on Node; the e2e suite runs the same
// behaviours on the shipped Bun executable): the `ws` library as the app, a `ws` server as the upstream
// that refuses any credential but the real one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { PLACEHOLDER_CREDENTIAL, type EgressPolicy, type EgressPolicyLimit, type EgressPolicyRule } from '@portcullis/shared';
import type { AuditRecord } from '../audit/record.js';
import { eventually, startHarness, TEST_IDENTITY, type Harness } from '../test-support/harness.js';
import { httpSource, policy } from '../test-support/resources.js';
import { testPki } from '../test-support/upstream.js';
import { closed, nextMessage, openedWs, openWs } from '../test-support/ws-client.js';
import { startWsUpstream, type WsUpstream } from '../test-support/ws-upstream.js';

const REAL_KEY = 'sk-real-ws-CANARY-5d1c';
const pki = testPki();
const PORT = 18090;

const REALTIME: EgressPolicyRule = { name: 'realtime', effect: 'Allow', source: 'rt', methods: ['GET'], paths: ['/v1/realtime'] };
const CHAT: EgressPolicyRule = { name: 'chat', effect: 'Allow', source: 'rt', methods: ['POST'], paths: ['/v1/chat/completions'] };

const allowRealtime = (extra: Partial<EgressPolicy['spec']> = {}, rules: EgressPolicyRule[] = [REALTIME]): EgressPolicy => {
  const p = policy('agent', rules);
  return { ...p, spec: { ...p.spec, ...extra } };
};

const tunnelLines = (h: Harness): AuditRecord[] => h.audit.filter((a) => a.websocket !== undefined);

/** A raw upgrade request on a plain socket; resolves with everything the sidecar answered before closing. */
function rawUpgrade(url: string, head: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('WebSocket upgrades through the sidecar', () => {
  let upstream: WsUpstream;
  let h: Harness | undefined;

  beforeAll(async () => {
    upstream = await startWsUpstream(pki, (headers) => headers.authorization === `Bearer ${REAL_KEY}`);
  });
  afterAll(() => upstream.close());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function serve(opts: { policies?: EgressPolicy[]; idleMs?: number } = {}): Promise<Harness> {
    h = await startHarness({
      port: PORT,
      sources: [httpSource('rt', PORT, { upstream: `${upstream.url}`, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'rt', key: 'api-key' } })],
      policies: opts.policies ?? [allowRealtime()],
      secrets: { rt: { 'api-key': REAL_KEY } },
      ...(opts.idleMs === undefined ? {} : { websocketIdleTimeoutMs: opts.idleMs }),
    });
    return h;
  }
  const wsUrl = (hh: Harness, path = '/v1/realtime?model=gpt-realtime'): string => `${hh.url.replace('http:', 'ws:')}${path}`;

  it('carries messages both ways with the real key injected into the upgrade and the app\'s key stripped', async () => {
    const hh = await serve();
    const { ws, headers } = await openedWs(wsUrl(hh), { headers: { authorization: `Bearer ${PLACEHOLDER_CREDENTIAL}`, cookie: 'session=app' } });
    expect(headers['x-portcullis-request-id']).toBeDefined();
    ws.send('echo:hello');
    expect((await nextMessage(ws)).toString()).toBe('echo:hello');
    ws.send('bytes:1048576');
    expect((await nextMessage(ws)).length).toBe(1_048_576);
    ws.close(1000, 'done');
    expect(await closed(ws)).toEqual({ code: 1000, reason: 'done' });
    const seen = upstream.handshakes.at(-1);
    expect(seen?.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.url).toBe('/v1/realtime?model=gpt-realtime');
    await eventually(() => expect(tunnelLines(hh)).toHaveLength(1));
    const line = tunnelLines(hh)[0] as AuditRecord;
    expect(line).toMatchObject({ status: 101, method: 'GET', path: '/v1/realtime', error: null, decision: { forwarded: true, rule: 'realtime' }, websocket: { closedBy: 'app', closeCode: 1000 } });
    expect(line.bytesIn).toBeGreaterThan(20);
    expect(line.bytesOut).toBeGreaterThan(1_048_576);
    expect(line.upstreamMs).not.toBeNull();
    expect(JSON.stringify(hh.audit) + hh.output()).not.toContain(REAL_KEY);
  });

  it('refuses an upgrade the policy denies with the JSON error and opens no upstream connection', async () => {
    const hh = await serve();
    const before = upstream.connections();
    const r = await openWs(wsUrl(hh, '/v1/other'));
    expect(r.kind).toBe('refused');
    if (r.kind !== 'refused') return;
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'POLICY_DENIED', message: expect.stringContaining('GET /v1/other') as unknown } });
    expect(upstream.connections()).toBe(before);
    await eventually(() => expect(hh.audit.at(-1)).toMatchObject({ status: 403, error: 'POLICY_DENIED', path: '/v1/other' }));
  });

  it.each([
    ['h2c', 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n', 'UPGRADE_NOT_SUPPORTED'],
    ['another protocol', 'Connection: Upgrade\r\nUpgrade: tls/1.2\r\n', 'UPGRADE_NOT_SUPPORTED'],
    ['websocket without a key', 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n', 'WEBSOCKET_HANDSHAKE_INVALID'],
    ['websocket with a body', 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 5\r\n\r\nhello', 'WEBSOCKET_HANDSHAKE_INVALID'],
  ])('refuses %s with a clear code and opens no upstream connection', async (_name, headers, code) => {
    const hh = await serve();
    const before = upstream.connections();
    const text = await rawUpgrade(hh.url, `GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}${headers.endsWith('hello') ? '' : '\r\n'}`);
    expect(text).toMatch(/^HTTP\/1.1 400 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text).toContain(`"code":"${code}"`);
    expect(upstream.connections()).toBe(before);
  });

  it('relays the upstream\'s own refusal of the upgrade (a 401) to the app', async () => {
    const hh = await serve();
    hh.setSecret('rt', 'api-key', 'sk-revoked-key');
    await eventually(async () => {
      const r = await openWs(wsUrl(hh));
      if (r.kind === 'open') r.ws.terminate();
      expect(r).toMatchObject({ kind: 'refused', status: 401, body: expect.stringContaining('bad credential') as unknown });
    });
    expect(upstream.refused.at(-1)?.authorization).toBe('Bearer sk-revoked-key');
    await eventually(() => expect(hh.audit.at(-1)).toMatchObject({ status: 401, decision: { forwarded: true } }));
    expect(hh.audit.at(-1)?.websocket).toBeUndefined();
  });

  it('propagates a close from the upstream to the app with its code and reason', async () => {
    const hh = await serve();
    const { ws } = await openedWs(wsUrl(hh));
    ws.send('close:4001');
    expect(await closed(ws)).toEqual({ code: 4001, reason: 'upstream says bye' });
    await eventually(() => expect(tunnelLines(hh)[0]?.websocket).toMatchObject({ closedBy: 'upstream', closeCode: 4001 }));
  });

  it('closes the upstream side when the app aborts without a close frame', async () => {
    const hh = await serve();
    const { ws } = await openedWs(wsUrl(hh));
    ws.send('echo:x');
    await nextMessage(ws);
    const seen = upstream.handshakes.at(-1);
    ws.terminate();
    await eventually(() => expect(seen?.closed?.code).toBe(1006));
    await eventually(() => expect(tunnelLines(hh)[0]?.websocket).toMatchObject({ closedBy: 'app', closeCode: null }));
    expect(hh.openTunnels()).toBe(0);
  });

  it('ends a tunnel that carried no byte either way for the idle timeout, and records why', async () => {
    const hh = await serve({ idleMs: 300 });
    const { ws } = await openedWs(wsUrl(hh));
    const seen = upstream.handshakes.at(-1);
    const started = Date.now();
    expect(await closed(ws)).toEqual({ code: 1001, reason: 'portcullis: idle timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await eventually(() => expect(seen?.closed?.code).toBe(1001));
    await eventually(() => expect(tunnelLines(hh)[0]?.websocket).toMatchObject({ closedBy: 'idle', closeCode: 1001, reason: expect.stringContaining('300 ms') as unknown }));
  });

  it('keeps a tunnel that is in use past the idle timeout', async () => {
    const hh = await serve({ idleMs: 300 });
    const { ws } = await openedWs(wsUrl(hh));
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ws.send(`echo:${i}`);
      await nextMessage(ws);
    }
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close();
    await closed(ws);
  });

  it('kill switch: suspending the pod cuts an open tunnel within a second', async () => {
    const hh = await serve();
    const { ws } = await openedWs(wsUrl(hh));
    const seen = upstream.handshakes.at(-1);
    const started = Date.now();
    hh.setPodSuspension('the pod has the label portcullis.dev/suspend=true');
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'portcullis: SUSPENDED' });
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() => expect(seen?.closed?.code).toBe(1001));
    await eventually(() => expect(tunnelLines(hh)[0]).toMatchObject({ error: 'SUSPENDED', websocket: { closedBy: 'revoked', reason: expect.stringContaining('portcullis.dev/suspend=true') as unknown } }));
    const again = await openWs(wsUrl(hh));
    expect(again).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('a policy edit that now denies the upgrade cuts the open tunnel; an unrelated edit keeps it', async () => {
    const hh = await serve();
    const { ws } = await openedWs(wsUrl(hh));
    await hh.setPolicies([allowRealtime({}, [REALTIME, CHAT])]);
    await new Promise((r) => setTimeout(r, 200));
    ws.send('echo:still');
    expect((await nextMessage(ws)).toString()).toBe('echo:still');
    const started = Date.now();
    await hh.setPolicies([allowRealtime({}, [CHAT])]);
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'portcullis: POLICY_DENIED' });
    expect(Date.now() - started).toBeLessThan(1000);
    await eventually(() => expect(tunnelLines(hh)[0]).toMatchObject({ error: 'POLICY_DENIED', websocket: { closedBy: 'revoked' } }));
  });

  it('cuts open tunnels when the workload identity is lost', async () => {
    const hh = await serve();
    const { ws } = await openedWs(wsUrl(hh));
    hh.setIdentity(undefined);
    await closed(ws);
    await eventually(() => expect(tunnelLines(hh)[0]).toMatchObject({ error: 'IDENTITY_UNAVAILABLE', websocket: { closedBy: 'revoked' } }));
    hh.setIdentity(TEST_IDENTITY);
  });

  it('counts the upgrade as one call of a rate limit and holds an in-flight slot while the tunnel is open', async () => {
    const limits: EgressPolicyLimit[] = [{ name: 'one-at-a-time', inFlight: 1 }];
    const hh = await serve({ policies: [allowRealtime({ limits })] });
    const first = await openedWs(wsUrl(hh));
    const second = await openWs(wsUrl(hh));
    expect(second).toMatchObject({ kind: 'refused', status: 429 });
    if (second.kind === 'refused') expect(JSON.parse(second.body)).toMatchObject({ error: { code: 'CONCURRENCY_LIMITED' } });
    first.ws.close();
    await closed(first.ws);
    await eventually(async () => {
      const third = await openedWs(wsUrl(hh));
      third.ws.close();
      await closed(third.ws);
    });
  });

  it('refuses an upgrade on a source a budget applies to, since a tunnel cannot be metered', async () => {
    const limits: EgressPolicyLimit[] = [{ name: 'daily', budget: { window: 'Day', costUSD: '1.00' } }];
    const hh = await serve({ policies: [allowRealtime({ limits })] });
    const before = upstream.connections();
    const r = await openWs(wsUrl(hh));
    expect(r).toMatchObject({ kind: 'refused', status: 400 });
    if (r.kind === 'refused') expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'WEBSOCKET_NOT_SUPPORTED', message: expect.stringContaining('budget') as unknown } });
    expect(upstream.connections()).toBe(before);
  });

  it('refuses every upgrade while the identity is unverified, before any upstream connection', async () => {
    const hh = await serve();
    hh.setIdentity(undefined);
    const before = upstream.connections();
    const r = await openWs(wsUrl(hh));
    expect(r).toMatchObject({ kind: 'refused', status: 503 });
    expect(upstream.connections()).toBe(before);
  });
});
