// Agent controls end to end through the shipped executable (Bun): the official openai and
// @anthropic-ai/sdk clients as the app, a local upstream speaking the providers' wire formats that checks
// the injected key, and a real redis-server shared by two sidecar processes (two pods of one service
// account).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { llmRoute, llmScript, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { standaloneArgs, untilReady } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const OPENAI_KEY = 'sk-e2e-limits-openai';
const ANTHROPIC_KEY = 'sk-ant-e2e-limits';
const REDIS_PASSWORD = 'e2e-limits-redis-password';
const base = testPort(6);
const PORTS = { pod: base, shared: base + 1, anthropic: base + 2, lenient: base + 3, strict: base + 4, rate: base + 5 };

function source(name: string, port: number, preset: 'openai' | 'anthropic', upstream: Upstream): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: ${name}}
spec:
  type: http
  port: ${port}
  http:
    preset: ${preset}
    upstream: ${upstream.url}
    caBundle: ${JSON.stringify(upstream.ca.certPem)}
    secretRef: {name: ${name}, key: api-key}
---
`;
}

const POLICY = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agents}
spec:
  workloads: {serviceAccounts: [agent]}
  rules: [{effect: Allow, source: "*", methods: [POST], paths: [/v1/chat/completions, /v1/messages]}]
  limits:
    - {name: ten-calls-per-pod, source: pod, scope: Pod, budget: {window: Run, outputTokens: 1000}}
    - {name: ten-calls-per-sa, source: shared, scope: ServiceAccount, budget: {window: Day, outputTokens: 1000}}
    - {name: metered, source: anthropic, budget: {window: Day, tokens: 1000000}}
    - {name: lenient-rate, source: lenient, scope: ServiceAccount, requests: {count: 1000}, onStoreUnavailable: Allow}
    - {name: strict-rate, source: strict, scope: ServiceAccount, requests: {count: 1000}}
    - {name: burst-five, source: rate, requests: {count: 2, periodSeconds: 1, burst: 5}}
`;

type ApiError = InstanceType<typeof OpenAI.APIError>;
const errorOf = (p: Promise<unknown>): Promise<ApiError | undefined> => p.then(() => undefined, (e: unknown) => e as ApiError);

describe('agent limits through the shipped sidecar executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-limits-'));
  const script = llmScript({ outputTokens: 100, chunkDelayMs: 5 });
  let upstream: Upstream;
  let redis: RedisServer;
  const sidecars: SidecarProcess[] = [];
  const openai = (port: number, pod = 0): OpenAI => new OpenAI({ baseURL: `http://127.0.0.1:${port + pod * 100}/v1`, apiKey: 'placeholder', maxRetries: 0 });
  const chat = (client: OpenAI, stream = false): Promise<unknown> =>
    stream
      ? client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100, stream: true, stream_options: { include_usage: true } }).then(async (s) => {
          for await (const _ of s) void _;
        })
      : client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 });

  beforeAll(async () => {
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${OPENAI_KEY}` || req.headers['x-api-key'] === ANTHROPIC_KEY, llmRoute(script));
    redis = await startRedis({ password: REDIS_PASSWORD });
    writeFileSync(join(dir, 'redis-password'), `${REDIS_PASSWORD}\n`);
    // Two pods of service account agent: each its own config (its own ports), the same policy and Redis.
    for (const pod of [0, 1]) {
      const podDir = join(dir, `pod-${pod}`);
      mkdirSync(join(podDir, 'config'), { recursive: true });
      let yaml = '';
      for (const [name, port] of Object.entries(PORTS)) {
        const preset = name === 'anthropic' ? 'anthropic' : 'openai';
        yaml += source(name, port + pod * 100, preset, upstream);
        mkdirSync(join(podDir, 'sources', name), { recursive: true });
        writeFileSync(join(podDir, 'sources', name, 'api-key'), preset === 'anthropic' ? ANTHROPIC_KEY : OPENAI_KEY);
      }
      writeFileSync(join(podDir, 'config/resources.yaml'), yaml + POLICY);
      const args = standaloneArgs(podDir, ['--redis-address', `127.0.0.1:${redis.port}`, '--redis-password-file', join(dir, 'redis-password')]);
      args[args.indexOf('team-a/agent/agent-0')] = `team-a/agent/agent-${pod}`;
      const sidecar = await startSidecarProcess(args);
      sidecars.push(sidecar);
      await untilReady(sidecar.adminPort);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(sidecars.map((s) => s.stop()));
    await redis?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pod scope: 50 parallel calls (streaming and not) against a budget for 10 let exactly 10 reach the provider', async () => {
    const client = openai(PORTS.pod);
    const before = upstream.received.length;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => errorOf(chat(client, i % 2 === 0))));
    const refused = results.filter((r) => r !== undefined);
    expect(upstream.received.length - before).toBe(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(r?.code).toBe('BUDGET_EXHAUSTED');
    // The other pod has its own pod-scope budget.
    expect(await errorOf(chat(openai(PORTS.pod, 1)))).toBeUndefined();
  });

  it('rate: a burst of 5 passes at once, the 6th gets 429 RATE_LIMITED with Retry-After, and 2 per second pass after', async () => {
    const client = openai(PORTS.rate);
    const burst = await Promise.all(Array.from({ length: 6 }, () => errorOf(chat(client))));
    expect(burst.filter((r) => r === undefined)).toHaveLength(5);
    const refused = burst.find((r) => r !== undefined);
    expect(refused?.status).toBe(429);
    expect(refused?.code).toBe('RATE_LIMITED');
    expect(refused?.headers?.get('retry-after')).toBe('1');
    await new Promise((r) => setTimeout(r, 1100));
    const sustained = await Promise.all(Array.from({ length: 4 }, () => errorOf(chat(client))));
    expect(sustained.filter((r) => r === undefined).length).toBeGreaterThanOrEqual(2);
    expect(sustained.filter((r) => r === undefined).length).toBeLessThanOrEqual(3);
  });

  it('ServiceAccount scope in Redis: 25 + 25 parallel calls through two sidecars share one budget for 10', async () => {
    const before = upstream.received.length;
    const a = openai(PORTS.shared, 0);
    const b = openai(PORTS.shared, 1);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => errorOf(chat(i % 2 ? a : b, i % 4 < 2))));
    expect(upstream.received.length - before).toBe(10);
    expect(results.filter((r) => r === undefined)).toHaveLength(10);
    expect(results.filter((r) => r?.code === 'BUDGET_EXHAUSTED')).toHaveLength(40);
  });

  it('meters the anthropic SDK (JSON and streamed) and writes tokens and the remaining budget in the audit line', async () => {
    const client = new Anthropic({ baseURL: `http://127.0.0.1:${PORTS.anthropic}`, apiKey: 'placeholder', maxRetries: 0 });
    await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    await client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    await new Promise((r) => setTimeout(r, 200));
    const lines = sidecars[0]?.stdout.map((l) => JSON.parse(l) as { source: string; limits?: { usage: { outputTokens: number } | null; budgets: { remaining: Record<string, number> }[] } }) ?? [];
    const metered = lines.filter((l) => l.source === 'anthropic' && l.limits);
    expect(metered).toHaveLength(2);
    expect(metered.map((l) => l.limits?.usage?.outputTokens)).toEqual([50, 50]);
    expect(metered[1]?.limits?.budgets[0]?.remaining).toEqual({ tokens: 1_000_000 - 2 * (12 + 50) });
    expect([...(sidecars[0]?.stdout ?? []), ...(sidecars[0]?.stderr ?? [])].join('\n')).not.toMatch(new RegExp(`${ANTHROPIC_KEY}|${REDIS_PASSWORD}`));
  });

  it('Redis stopped: shared budgets fail closed (LIMIT_STORE_UNAVAILABLE), rate limits per the policy; all resume after', async () => {
    await redis.stop();
    try {
      const budget = await errorOf(chat(openai(PORTS.shared)));
      expect(budget?.status).toBe(503);
      expect(budget?.code).toBe('LIMIT_STORE_UNAVAILABLE');
      expect((await errorOf(chat(openai(PORTS.strict))))?.code).toBe('LIMIT_STORE_UNAVAILABLE');
      expect(await errorOf(chat(openai(PORTS.lenient)))).toBeUndefined();
      // Pod scope needs no Redis.
      expect(await errorOf(chat(openai(PORTS.pod, 1)))).toBeUndefined();
    } finally {
      await redis.restart();
    }
    let status: string | undefined = 'LIMIT_STORE_UNAVAILABLE';
    for (let i = 0; i < 100 && status === 'LIMIT_STORE_UNAVAILABLE'; i++) {
      status = (await errorOf(chat(openai(PORTS.strict))))?.code ?? undefined;
      if (status === 'LIMIT_STORE_UNAVAILABLE') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBeUndefined();
    expect(sidecars[0]?.stderr.filter((l) => l.includes('redis: unreachable'))).toHaveLength(1);
    expect(sidecars[0]?.stderr.filter((l) => l.includes('redis: connected')).length).toBeGreaterThanOrEqual(2);
  });
});
