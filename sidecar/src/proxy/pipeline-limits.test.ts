import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { MemoryLimitStore, PLACEHOLDER_CREDENTIAL, type EgressPolicy, type EgressPolicyLimit, type LimitStore } from '@portcullis/shared';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { llmRoute, llmScript, type LlmScript } from '../test-support/llm-upstream.js';
import { httpSource, policy } from '../test-support/resources.js';
import { startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

const OPENAI_KEY = 'sk-real-limits-0123';
const ANTHROPIC_KEY = 'sk-ant-real-limits-4567';
const pki = testPki();

function limited(limits: EgressPolicyLimit[], extra: Partial<EgressPolicy['spec']> = {}): EgressPolicy {
  const p = policy('agent', [{ effect: 'Allow', source: '*' }]);
  return { ...p, spec: { ...p.spec, limits, ...extra } };
}

const chat = (client: OpenAI, extra: Record<string, unknown> = {}): Promise<unknown> =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);

const errorOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

describe('limits and budgets with the openai SDK', () => {
  let upstream: Upstream;
  let script: LlmScript;
  let h: Harness | undefined;
  let client: OpenAI;

  beforeAll(async () => {
    script = llmScript();
    upstream = await startUpstream(pki, (req) => req.headers.authorization === `Bearer ${OPENAI_KEY}`, llmRoute(script));
  });
  afterAll(() => upstream.close());
  afterEach(async () => {
    await h?.close();
    h = undefined;
    Object.assign(script, llmScript());
  });

  async function serve(limits: EgressPolicyLimit[], extra: Partial<EgressPolicy['spec']> = {}): Promise<Harness> {
    h = await startHarness({
      port: 18080,
      sources: [httpSource('openai', 18080, { preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'openai', key: 'api-key' } })],
      policies: [limited(limits, extra)],
      secrets: { openai: { 'api-key': OPENAI_KEY } },
    });
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0 });
    return h;
  }

  it('burst: lets `burst` calls through at once, then answers 429 RATE_LIMITED with Retry-After, naming the policy', async () => {
    await serve([{ name: 'rpm', requests: { count: 1, periodSeconds: 60, burst: 3 } }]);
    for (let i = 0; i < 3; i++) await chat(client);
    const before = upstream.received.length;
    const err = await errorOf(chat(client));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.message).toContain('rate limit "rpm" of EgressPolicy team-a/agent');
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(upstream.received.length).toBe(before);
  });

  it('sustained: over one second at 5 per second (burst 1) about 6 of 20 spaced calls pass', async () => {
    await serve([{ name: 'rps', requests: { count: 5, periodSeconds: 1, burst: 1 } }]);
    const started = Date.now();
    let passed = 0;
    for (let i = 0; i < 20; i++) {
      if ((await errorOf(chat(client))) === undefined) passed++;
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * 55 - Date.now())));
    }
    const elapsedS = (Date.now() - started) / 1000;
    expect(passed).toBeLessThanOrEqual(1 + Math.ceil(5 * elapsedS));
    expect(passed).toBeGreaterThanOrEqual(Math.floor(5 * elapsedS) - 1);
  });

  it('50 calls in parallel against a budget for 10: exactly 10 reach the provider, the rest get BUDGET_EXHAUSTED', async () => {
    await serve([{ name: 'ten-calls', budget: { window: 'Run', outputTokens: 1000 } }]);
    script.outputTokens = 100;
    script.chunkDelayMs = 20;
    const before = upstream.received.length;
    const results = await Promise.all(Array.from({ length: 50 }, () => errorOf(chat(client))));
    const refused = results.filter((r) => r !== undefined);
    expect(50 - refused.length).toBe(10);
    expect(upstream.received.length - before).toBe(10);
    for (const r of refused) expect((r as InstanceType<typeof OpenAI.APIError>).code).toBe('BUDGET_EXHAUSTED');
    // Spent: the next call is refused, and the SDK is told not to retry it.
    const next = (await errorOf(chat(client))) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(next.code).toBe('BUDGET_EXHAUSTED');
    expect(next.headers?.get('x-should-retry')).toBe('false');
  });

  it('a budget spent mid-stream lets that stream finish, and refuses the next call', async () => {
    const h = await serve([{ name: 'out', budget: { window: 'Run', outputTokens: 100, maxOutputTokensPerCall: 60 } }]);
    script.outputTokens = 150;
    let release = (): void => undefined;
    script.holdFinal = new Promise<void>((r) => (release = r));
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'go' }], stream: true, stream_options: { include_usage: true } });
    const chunks: unknown[] = [];
    const reading = (async () => {
      for await (const c of stream) chunks.push(c);
    })();
    await eventually(() => expect(chunks.length).toBeGreaterThanOrEqual(3));
    // While it streams, its reservation (60 of 100) leaves no room for another 60.
    expect(((await errorOf(chat(client, { max_tokens: undefined }))) as InstanceType<typeof OpenAI.APIError>).code).toBe('BUDGET_EXHAUSTED');
    release();
    await reading;
    const last = chunks.at(-1) as { usage?: { completion_tokens: number } };
    expect(last.usage?.completion_tokens).toBe(150);
    script.holdFinal = undefined;
    const next = (await errorOf(chat(client, { max_tokens: 1 }))) as InstanceType<typeof OpenAI.APIError>;
    expect(next.code).toBe('BUDGET_EXHAUSTED');
    expect(next.message).toContain('150 of 100 output tokens used');
    const line = h.audit.find((a) => a.limits?.usage?.outputTokens === 150);
    expect(line?.limits?.budgets[0]).toMatchObject({ policy: 'team-a/agent', limit: 'out', remaining: { outputTokens: 0 } });
  });

  it('a stream without include_usage is charged its whole reservation (it reported nothing)', async () => {
    const h = await serve([{ name: 'out', budget: { window: 'Run', outputTokens: 1000 } }]);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'go' }], stream: true, max_tokens: 300 });
    for await (const _ of stream) void _;
    await eventually(() => expect(h.audit.at(-1)?.limits?.budgets[0]?.remaining).toEqual({ outputTokens: 700 }));
  });

  it('meters the responses API stream (response.completed usage) and prices it for a cost budget', async () => {
    const h = await serve([{ name: 'usd', budget: { window: 'Day', costUSD: '1.00' } }]);
    script.inputTokens = 1000;
    script.outputTokens = 500;
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'hi', stream: true, max_output_tokens: 800 });
    for await (const _ of stream) void _;
    // gpt-4.1: $2 / $8 per million → 1000 × 2 + 500 × 8 = 6000 µUSD.
    await eventually(() => expect(h.audit.at(-1)?.limits).toMatchObject({ usage: { model: 'gpt-4.1', inputTokens: 1000, outputTokens: 500 }, budgets: [{ charged: { costUSD: 0.006 }, remaining: { costMicroUSD: 994_000 } }] }));
    const metrics = await h.metrics.registry.metrics();
    expect(metrics).toContain('portcullis_sidecar_tokens_total{source="openai",direction="output"} 500');
    expect(metrics).toContain('portcullis_sidecar_cost_microusd_total{source="openai"} 6000');
  });

  it('in-flight: a third call while two stream gets CONCURRENCY_LIMITED; it passes once one ends', async () => {
    await serve([{ name: 'two', inFlight: 2 }]);
    let release = (): void => undefined;
    script.holdFinal = new Promise<void>((r) => (release = r));
    const streams = await Promise.all([0, 1].map(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'go' }], stream: true })));
    expect(((await errorOf(chat(client))) as InstanceType<typeof OpenAI.APIError>).code).toBe('CONCURRENCY_LIMITED');
    release();
    await Promise.all(streams.map(async (s) => { for await (const _ of s) void _; }));
    script.holdFinal = undefined;
    await eventually(async () => expect(await errorOf(chat(client))).toBeUndefined());
  });

  it('kill switch: a suspended pod gets 403 SUSPENDED on every call at once, and resumes when lifted', async () => {
    const h = await serve([]);
    await chat(client);
    h.setPodSuspension('the pod has the label portcullis.dev/suspend=true');
    const err = (await errorOf(chat(client))) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.code).toBe('SUSPENDED');
    expect(err.message).toContain('portcullis.dev/suspend=true');
    await eventually(() => expect(h.audit.at(-1)).toMatchObject({ error: 'SUSPENDED', status: 403 }));
    h.setPodSuspension(undefined);
    expect(await errorOf(chat(client))).toBeUndefined();
  });

  it('policy-level suspend stops the workloads it selects; setting it false resumes them', async () => {
    const h = await serve([]);
    await h.setPolicies([limited([], { suspend: true })]);
    expect(((await errorOf(chat(client))) as InstanceType<typeof OpenAI.APIError>).code).toBe('SUSPENDED');
    await h.setPolicies([limited([], { suspend: false })]);
    expect(await errorOf(chat(client))).toBeUndefined();
  });

  it('a ServiceAccount-scope limit without Redis fails closed with LIMIT_STORE_UNAVAILABLE', async () => {
    await serve([{ name: 'shared', scope: 'ServiceAccount', requests: { count: 100 } }]);
    const err = (await errorOf(chat(client))) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(503);
    expect(err.code).toBe('LIMIT_STORE_UNAVAILABLE');
  });

  it('a budgeted call cannot blind the meter by asking for a compressed answer: the provider is asked for identity', async () => {
    const h = await serve([{ name: 'out', budget: { window: 'Run', outputTokens: 1000 } }]);
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip, br' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 }),
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(upstream.received.at(-1)?.headers['accept-encoding']).toBe('identity');
    await eventually(() => expect(h.audit.at(-1)?.limits?.usage?.outputTokens).toBe(20));
  });

  it('refuses a budgeted call whose body is over 4 MiB before reading it, and sends nothing upstream', async () => {
    const h = await serve([{ name: 'out', budget: { window: 'Run', outputTokens: 1000 } }]);
    const before = upstream.received.length;
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(5 * 1024 * 1024, 0x20) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error.message).toContain('at most 4194304 bytes');
    expect(upstream.received.length).toBe(before);
  });

  it('an app that goes away while a shared limit is checked sends nothing and leaves no slot held', async () => {
    // A shared store that answers slowly (Redis across a busy network), counting in memory.
    const memory = new MemoryLimitStore();
    const slow = <T>(p: Promise<T>): Promise<T> => new Promise((r) => setTimeout(() => r(p), 300));
    const sharedLimitStore: LimitStore = {
      take: (...a) => slow(memory.take(...a)),
      acquire: (...a) => slow(memory.acquire(...a)),
      releaseSlot: (...a) => memory.releaseSlot(...a),
      reserve: (...a) => slow(memory.reserve(...a)),
      settle: (...a) => memory.settle(...a),
    };
    h = await startHarness({
      port: 18080,
      sources: [httpSource('openai', 18080, { preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'openai', key: 'api-key' } })],
      policies: [limited([{ name: 'one-at-a-time', scope: 'ServiceAccount', inFlight: 1 }])],
      secrets: { openai: { 'api-key': OPENAI_KEY } },
      sharedLimitStore,
    });
    const before = upstream.received.length;
    const abort = new AbortController();
    const gone = fetch(`${h.url}/v1/chat/completions`, { method: 'POST', body: '{}', signal: abort.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    await gone;
    await new Promise((r) => setTimeout(r, 400));
    expect(upstream.received.length).toBe(before);
    // Its slot was given back: the next call gets the one slot.
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0 });
    expect(await errorOf(chat(client))).toBeUndefined();
  });

  it('the real key reaches the provider and never the app, also on refusals', async () => {
    await serve([{ name: 'one', requests: { count: 1, periodSeconds: 60 } }]);
    await chat(client);
    const refused = (await errorOf(chat(client))) as InstanceType<typeof OpenAI.APIError>;
    expect(JSON.stringify(refused.error)).not.toContain(OPENAI_KEY);
    expect(upstream.received.every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
  });
});

describe('budgets with the anthropic SDK', () => {
  let upstream: Upstream;
  const script = llmScript({ inputTokens: 40, outputTokens: 30 });
  let h: Harness;
  let client: Anthropic;

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers['x-api-key'] === ANTHROPIC_KEY, llmRoute(script));
    h = await startHarness({
      port: 18081,
      sources: [httpSource('anthropic', 18081, { preset: 'anthropic', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'anthropic', key: 'api-key' } })],
      policies: [limited([{ name: 'daily', source: 'anthropic', budget: { window: 'Day', tokens: 300 } }])],
      secrets: { anthropic: { 'api-key': ANTHROPIC_KEY } },
    });
    client = new Anthropic({ baseURL: h.url, apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('meters a JSON message and a streamed one (message_start + message_delta), then refuses over the budget', async () => {
    const msg = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.usage.output_tokens).toBe(30);
    await eventually(() => expect(h.audit.at(-1)?.limits?.budgets[0]?.remaining).toEqual({ tokens: 230 }));
    const stream = client.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: [{ role: 'user', content: 'again' }] });
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(30);
    await eventually(() => expect(h.audit.at(-1)?.limits).toMatchObject({ usage: { model: 'claude-sonnet-4-20250514', inputTokens: 40, outputTokens: 30 }, budgets: [{ remaining: { tokens: 160 } }] }));
    // 160 left; this call reserves its body size plus 200 output tokens: refused in Anthropic's shape.
    const err = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 200, messages: [{ role: 'user', content: 'more' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const e = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.status).toBe(429);
    expect((e.error as { error: { type: string; code: string } }).error).toMatchObject({ type: 'rate_limit_error', code: 'BUDGET_EXHAUSTED' });
  });
});
