// WebSocket upgrades through the shipped sidecar executable (Bun, standalone mode): the `ws` library and
// the openai SDK's Realtime client as the app, a `ws` server over TLS as the upstream that refuses any key
// but the real one. Policy on the upgrade, the key injected, bytes both ways, close from each side, the
// idle timeout, the kill switch cutting an open tunnel, and one audit line per tunnel on stdout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { AuditRecord } from '@portcullis/sidecar';
import { closed, nextMessage, openedWs, openWs, startWsUpstream, testPki, type WsUpstream } from '@portcullis/sidecar/testing';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { bearerSourceYaml, standaloneArgs, untilReady } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'sk-e2e-websocket-CANARY-41c9';
const IDLE_SECONDS = 2;

const config = (port: number, upstream: WsUpstream, suspend = false): string => `${bearerSourceYaml({ name: 'rt', port, upstream: upstream.url, caPem: upstream.ca.certPem })}---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  suspend: ${suspend}
  rules: [{name: realtime, effect: Allow, source: rt, methods: [GET], paths: [/v1/realtime]}]
`;

/** A raw request on a plain socket; resolves with everything answered before the connection closed. */
function raw(request: string, port: number = currentPort): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(request));
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString()));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
}
let currentPort = 0;

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('WebSocket upgrades through the shipped sidecar (standalone)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-ws-'));
  const port = testPort();
  currentPort = port;
  let upstream: WsUpstream;
  let sidecar: SidecarProcess;
  const base = (): string => `ws://127.0.0.1:${port}`;
  const tunnels = (): AuditRecord[] => sidecar.stdout.map((l) => JSON.parse(l) as AuditRecord).filter((a) => a.websocket !== undefined);

  beforeAll(async () => {
    upstream = await startWsUpstream(testPki(), (headers) => headers.authorization === `Bearer ${KEY}`);
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'sources/rt'), { recursive: true });
    writeFileSync(join(dir, 'sources/rt/key'), KEY);
    writeFileSync(join(dir, 'config/resources.yaml'), config(port, upstream));
    sidecar = await startSidecarProcess(standaloneArgs(dir, ['--websocket-idle-timeout-seconds', String(IDLE_SECONDS)]));
    await untilReady(sidecar.adminPort);
  }, 30_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries messages both ways with the real key injected, and writes one audit line when the tunnel closes', async () => {
    const { ws } = await openedWs(`${base()}/v1/realtime?model=gpt-realtime`, { headers: { authorization: 'Bearer placeholder' } });
    ws.send('echo:hello');
    expect((await nextMessage(ws)).toString()).toBe('echo:hello');
    ws.send('bytes:4194304');
    expect((await nextMessage(ws)).length).toBe(4 * 1024 * 1024);
    ws.close(1000, 'done');
    expect(await closed(ws)).toEqual({ code: 1000, reason: 'done' });
    expect(upstream.handshakes.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    const line = await eventually(() => {
      const l = tunnels().at(-1);
      if (!l) throw new Error('no tunnel audit line yet');
      return l;
    });
    expect(line).toMatchObject({ kind: 'audit', status: 101, method: 'GET', path: '/v1/realtime', source: 'rt', workload: { pod: 'agent-0' }, websocket: { closedBy: 'app', closeCode: 1000 } });
    expect(line.bytesOut).toBeGreaterThan(4 * 1024 * 1024);
    expect(line.bytesIn).toBeGreaterThan(0);
    expect([...sidecar.stdout, ...sidecar.stderr].join('\n')).not.toContain(KEY);
  });

  it('holds back a fast upstream while the app does not read: backpressure, not the sidecar\'s memory, absorbs it', async () => {
    const MiB = 1024 * 1024;
    const { ws } = await openedWs(`${base()}/v1/realtime`);
    const seen = upstream.handshakes.at(-1);
    const before = (await sidecar.memoryKiB()).current;
    ws.pause();
    ws.send('flood:48');
    // Less than the suite's 2 s idle timeout: a tunnel whose reader stalls that long is idle.
    await new Promise((r) => setTimeout(r, 1000));
    const stalled = seen?.flooded ?? 0;
    const during = (await sidecar.memoryKiB()).current;
    // The upstream could write only what the socket buffers on the way hold: far less than 48 MiB.
    expect(stalled).toBeLessThan(32 * MiB);
    expect(during - before).toBeLessThan(48 * 1024);
    let received = 0;
    ws.on('message', (data: Buffer) => (received += data.length));
    ws.resume();
    await eventually(() => expect(received).toBe(48 * MiB), 60_000);
    process.stdout.write(`websocket backpressure: upstream stalled at ${(stalled / MiB).toFixed(0)} MiB of 48 while the app paused; sidecar RSS +${((during - before) / 1024).toFixed(1)} MiB\n`);
    ws.close();
    await closed(ws);
  }, 90_000);

  it('carries the openai SDK\'s Realtime client (its wss: URL dialled in plain text to the loopback port)', async () => {
    const client = new OpenAI({ apiKey: 'placeholder', baseURL: `http://127.0.0.1:${port}/v1` });
    // The SDK always builds a wss: URL; the sidecar's port is plain HTTP on loopback, so the socket is made here.
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { createConnection: () => connect(port, '127.0.0.1') } }, client);
    rt.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      rt.socket.once('open', () => resolve());
      rt.socket.once('error', reject);
    });
    const echoed = new Promise<unknown>((resolve) => rt.on('event', (e) => resolve(e)));
    rt.send({ type: 'session.update', session: { type: 'realtime' } });
    expect(await echoed).toEqual({ type: 'portcullis.test.echo', received: 'session.update' });
    expect(upstream.handshakes.at(-1)).toMatchObject({ url: '/v1/realtime?model=gpt-realtime', headers: { authorization: `Bearer ${KEY}` } });
    rt.close();
    await closed(rt.socket);
  });

  it('refuses an upgrade the policy denies (403 POLICY_DENIED) and one to another protocol, opening no upstream connection', async () => {
    const before = upstream.connections();
    const denied = await openWs(`${base()}/v1/files`);
    expect(denied).toMatchObject({ kind: 'refused', status: 403 });
    if (denied.kind === 'refused') expect(JSON.parse(denied.body)).toMatchObject({ error: { code: 'POLICY_DENIED' } });
    const other = await raw('GET /v1/realtime HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tls/1.2\r\n\r\n');
    expect(other).toMatch(/^HTTP\/1.1 400 /);
    expect(other).toContain('"code":"UPGRADE_NOT_SUPPORTED"');
    expect(upstream.connections()).toBe(before);
  });

  it('serves a request that only offers h2c as HTTP/1.1 with the offer stripped (Java\'s default HttpClient sends one)', async () => {
    const answer = await raw('GET /v1/realtime HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1.1 426 /);
    expect(upstream.plain.at(-1)).toMatchObject({ authorization: `Bearer ${KEY}` });
    expect(upstream.plain.at(-1)?.upgrade).toBeUndefined();
  });

  it('propagates a close from the upstream to the app', async () => {
    const { ws } = await openedWs(`${base()}/v1/realtime`);
    ws.send('close:4002');
    expect(await closed(ws)).toEqual({ code: 4002, reason: 'upstream says bye' });
    await eventually(() => expect(tunnels().at(-1)?.websocket).toMatchObject({ closedBy: 'upstream', closeCode: 4002 }));
  });

  it('closes the upstream connection when the app aborts', async () => {
    const { ws } = await openedWs(`${base()}/v1/realtime`);
    ws.send('echo:x');
    await nextMessage(ws);
    const seen = upstream.handshakes.at(-1);
    ws.terminate();
    await eventually(() => expect(seen?.closed?.code).toBe(1006));
    await eventually(() => expect(tunnels().at(-1)?.websocket).toMatchObject({ closedBy: 'app', closeCode: null }));
  });

  it(`ends a tunnel idle for --websocket-idle-timeout-seconds ${IDLE_SECONDS} with close 1001 to both sides`, async () => {
    const { ws } = await openedWs(`${base()}/v1/realtime`);
    const seen = upstream.handshakes.at(-1);
    const started = Date.now();
    expect(await closed(ws)).toEqual({ code: 1001, reason: 'portcullis: idle timeout' });
    const idleMs = Date.now() - started;
    expect(idleMs).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 100);
    expect(idleMs).toBeLessThan(IDLE_SECONDS * 1000 + 1500);
    await eventually(() => expect(seen?.closed?.code).toBe(1001));
    await eventually(() => expect(tunnels().at(-1)?.websocket).toMatchObject({ closedBy: 'idle', closeCode: 1001 }));
  });

  it('kill switch: spec.suspend on the policy cuts an open tunnel within a second (close 1008), and refuses new upgrades', async () => {
    const { ws } = await openedWs(`${base()}/v1/realtime`);
    const seen = upstream.handshakes.at(-1);
    const result = closed(ws);
    const started = Date.now();
    writeFileSync(join(dir, 'config/resources.yaml'), config(port, upstream, true));
    expect(await result).toEqual({ code: 1008, reason: 'portcullis: SUSPENDED' });
    const cutMs = Date.now() - started;
    expect(cutMs).toBeLessThan(1000);
    await eventually(() => expect(seen?.closed?.code).toBe(1001));
    await eventually(() => expect(tunnels().at(-1)).toMatchObject({ error: 'SUSPENDED', websocket: { closedBy: 'revoked', closeCode: 1008 } }));
    expect(await openWs(`${base()}/v1/realtime`)).toMatchObject({ kind: 'refused', status: 403 });
    writeFileSync(join(dir, 'config/resources.yaml'), config(port, upstream, false));
    const { ws: again } = await eventually(() => openedWs(`${base()}/v1/realtime`));
    again.close();
    await closed(again);
    process.stdout.write(`websocket kill switch (standalone, shipped executable): tunnel cut ${cutMs} ms after the policy file was written\n`);
  });

  it('stopping the sidecar closes open tunnels with 1001 and records them', async () => {
    const { ws } = await openedWs(`${base()}/v1/realtime`);
    const result = closed(ws);
    expect(await sidecar.stop()).toBe(0);
    expect(await result).toEqual({ code: 1001, reason: 'portcullis: the sidecar is stopping' });
    expect(tunnels().at(-1)?.websocket).toMatchObject({ closedBy: 'shutdown', closeCode: 1001 });
  });
});
