import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { EgressPolicyLimit } from '../crd/index.js';
import { validPolicy } from '../testing/valid.js';
import { admitCall, finishCall, type CallFacts, type LimitStores } from './admit.js';
import { compileLimits } from './compile.js';
import { MemoryLimitStore } from './memory-store.js';

const workload = { namespace: 'agents', serviceAccount: 'agent', podName: 'agent-1', podUID: 'uid-1', labels: {} };

function limitsOf(limits: EgressPolicyLimit[], extra: { suspend?: boolean; mode?: 'Enforce' | 'Audit' } = {}) {
  return compileLimits(
    [
      validPolicy({
        apiVersion: 'portcullis.dev/v1alpha1',
        kind: 'EgressPolicy',
        metadata: { name: 'agent', namespace: 'agents' },
        spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ effect: 'Allow', source: 'openai' }], limits, ...extra },
      }),
    ],
    workload,
  );
}

let seq = 0;
function call(overrides: Partial<CallFacts> = {}): CallFacts {
  return { source: 'openai', requestId: `r${++seq}`, nowMs: 1_000_000, model: 'gpt-4o-mini', inputBytes: 0, maxOutputTokens: 100, ...overrides };
}

function memoryStores(): LimitStores {
  return { memory: new MemoryLimitStore(), shared: undefined, leaseMs: 600_000 };
}

describe('admitCall', () => {
  it('50 calls in parallel against a budget for 10 let exactly 10 through (pod scope, memory)', async () => {
    const limits = limitsOf([{ name: 'ten', budget: { window: 'Run', outputTokens: 1000 } }]);
    const stores = memoryStores();
    const results = await Promise.all(Array.from({ length: 50 }, () => admitCall(limits, call(), stores)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    for (const r of results) if (!r.ok) expect(r.refusal.code).toBe('BUDGET_EXHAUSTED');
  });

  it('never lets concurrent calls together spend more than the budget, in any interleaving (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 60 }), async (s, calls) => {
        const budget = 1000;
        const limits = limitsOf([{ name: 'b', budget: { window: 'Run', outputTokens: budget } }]);
        const stores = memoryStores();
        let spent = 0;
        const all = Promise.all(
          calls.map(async ([maxTokens, fraction], i) => {
            const facts = call({ requestId: `p${i}`, maxOutputTokens: maxTokens });
            const admitted = await s.schedule(admitCall(limits, facts, stores));
            if (!admitted.ok) return;
            // The provider honours max_tokens: it uses at most what was reserved.
            const used = Math.floor(maxTokens * fraction);
            await s.schedule(Promise.resolve());
            spent += used;
            await finishCall(admitted.grant, facts.requestId, { model: undefined, inputTokens: 0, outputTokens: used });
          }),
        );
        await s.waitAll();
        await all;
        expect(spent).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 150, seed: 20261207 },
    );
  });

  it('a stream that uses more than it reserved exhausts the budget: the next call is refused', async () => {
    const limits = limitsOf([{ name: 'b', budget: { window: 'Run', tokens: 500 } }]);
    const stores = memoryStores();
    const first = await admitCall(limits, call({ maxOutputTokens: 100 }), stores);
    if (!first.ok) throw new Error('first call refused');
    const outcome = await finishCall(first.grant, 'x', { model: 'gpt-4o-mini', inputTokens: 200, outputTokens: 400 });
    expect(outcome[0]?.remaining).toEqual({ tokens: 0 });
    const next = await admitCall(limits, call(), stores);
    expect(next).toMatchObject({ ok: false, refusal: { code: 'BUDGET_EXHAUSTED', policy: 'agents/agent', limit: 'b' } });
  });

  it('refuses the 4th of 3 in-flight calls and admits one again when a call finishes', async () => {
    const limits = limitsOf([{ name: 'c', inFlight: 3 }]);
    const stores = memoryStores();
    const facts = [call(), call(), call()];
    const grants = await Promise.all(facts.map((f) => admitCall(limits, f, stores)));
    expect(grants.every((g) => g.ok)).toBe(true);
    expect(await admitCall(limits, call(), stores)).toMatchObject({ ok: false, refusal: { code: 'CONCURRENCY_LIMITED', retryAfterSeconds: 1 } });
    const g0 = grants[0];
    if (!g0?.ok) throw new Error('no grant');
    await finishCall(g0.grant, facts[0]?.requestId ?? '', undefined);
    expect((await admitCall(limits, call(), stores)).ok).toBe(true);
  });

  it('rate: a burst of 5 at 1 per second refuses the 6th with Retry-After 1', async () => {
    const limits = limitsOf([{ name: 'r', requests: { count: 1, periodSeconds: 1, burst: 5 } }]);
    const stores = memoryStores();
    const out = [];
    for (let i = 0; i < 6; i++) out.push(await admitCall(limits, call(), stores));
    expect(out.map((o) => o.ok)).toEqual([true, true, true, true, true, false]);
    expect(out[5]).toMatchObject({ refusal: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } });
  });

  it('a refusal by a later limit gives back the slot an earlier limit granted', async () => {
    const limits = limitsOf([
      { name: 'slots', inFlight: 1 },
      { name: 'b', budget: { window: 'Run', outputTokens: 10 } },
    ]);
    const stores = memoryStores();
    expect((await admitCall(limits, call({ maxOutputTokens: 50 }), stores)).ok).toBe(false);
    expect((await admitCall(limits, call({ maxOutputTokens: 5 }), stores)).ok).toBe(true);
  });

  it('wider scopes without Redis fail closed, and requests with onStoreUnavailable Allow fail open', async () => {
    const closed = limitsOf([{ name: 'sa', scope: 'ServiceAccount', requests: { count: 10 } }]);
    expect(await admitCall(closed, call(), memoryStores())).toMatchObject({ ok: false, refusal: { code: 'LIMIT_STORE_UNAVAILABLE' } });
    const open = limitsOf([{ name: 'sa', scope: 'ServiceAccount', requests: { count: 10 }, onStoreUnavailable: 'Allow' }]);
    const r = await admitCall(open, call(), memoryStores());
    expect(r).toMatchObject({ ok: true, grant: { failedOpen: ['agents/agent/sa'] } });
  });

  it('a budget never fails open, whatever onStoreUnavailable says', async () => {
    const limits = limitsOf([{ name: 'sa', scope: 'ServiceAccount', budget: { window: 'Day', tokens: 10 }, onStoreUnavailable: 'Allow' }]);
    const failing: LimitStores = {
      ...memoryStores(),
      shared: {
        take: () => Promise.reject(new Error('ECONNREFUSED')),
        acquire: () => Promise.reject(new Error('ECONNREFUSED')),
        releaseSlot: () => Promise.reject(new Error('ECONNREFUSED')),
        reserve: () => Promise.reject(new Error('ECONNREFUSED')),
        settle: () => Promise.reject(new Error('ECONNREFUSED')),
      },
    };
    expect(await admitCall(limits, call({ maxOutputTokens: 1 }), failing)).toMatchObject({ ok: false, refusal: { code: 'LIMIT_STORE_UNAVAILABLE' } });
  });

  it('a cost budget refuses a model without a price, naming spec.prices', async () => {
    const limits = limitsOf([{ name: 'usd', budget: { costUSD: '1.00' } }]);
    const r = await admitCall(limits, call({ model: 'my-finetune' }), memoryStores());
    expect(r).toMatchObject({ ok: false, refusal: { code: 'BUDGET_PRICE_UNKNOWN' } });
    if (!r.ok) expect(r.refusal.message).toContain('spec.prices');
  });

  it('spec.prices prices a model the defaults do not know', async () => {
    const limits = compileLimits(
      [
        validPolicy({
          apiVersion: 'portcullis.dev/v1alpha1',
          kind: 'EgressPolicy',
          metadata: { name: 'agent', namespace: 'agents' },
          spec: {
            workloads: { serviceAccounts: ['agent'] },
            rules: [{ effect: 'Allow', source: 'openai' }],
            limits: [{ name: 'usd', budget: { costUSD: '0.001' } }],
            prices: [{ model: 'my-finetune', inputUSDPerMillionTokens: '1', outputUSDPerMillionTokens: '1' }],
          },
        }),
      ],
      workload,
    );
    const stores = memoryStores();
    expect((await admitCall(limits, call({ model: 'my-finetune', maxOutputTokens: 1000 }), stores)).ok).toBe(true);
    // 1000 µUSD budget, 1000 reserved: a second call cannot be covered.
    expect(await admitCall(limits, call({ model: 'my-finetune', maxOutputTokens: 1 }), stores)).toMatchObject({ ok: false, refusal: { code: 'BUDGET_EXHAUSTED' } });
  });

  it('limits of Audit policies are not applied; suspend applies in both modes', () => {
    const audit = limitsOf([{ name: 'r', requests: { count: 1 } }], { mode: 'Audit', suspend: true });
    expect(audit.forSource('openai')).toHaveLength(0);
    expect(audit.suspendedBy).toBe('agents/agent');
  });

  it('a limit for one source does not count calls through another', () => {
    const limits = limitsOf([{ name: 'r', source: 'openai', requests: { count: 1 } }]);
    expect(limits.forSource('anthropic')).toHaveLength(0);
    expect(limits.forSource('openai')).toHaveLength(1);
  });

  it('pod, service-account and namespace scopes key the counter differently', () => {
    const keys = (['Pod', 'ServiceAccount', 'Namespace'] as const).map((scope) => limitsOf([{ name: 'r', scope, requests: { count: 1 } }]).forSource('x')[0]?.key);
    expect(keys).toEqual(['portcullis:agents/agent:r:pod:uid-1', 'portcullis:agents/agent:r:sa:agent', 'portcullis:agents/agent:r:ns']);
  });
});
