// The Redis limit store against a real redis-server: the Lua scripts give the same answers as the pure
// core, concurrent reservations from two clients (two "pods") never overspend, and a stopped Redis
// fails every operation fast instead of hanging.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MemoryLimitStore, bucketSpec, type Amount, type LimitStore } from '@portcullis/shared';
import { RedisLimitStore } from '@portcullis/sidecar';
import { startRedis, type RedisServer } from '../support/redis.js';

const amount = (inputTokens: number, outputTokens: number, costMicroUSD = 0): Amount => ({ inputTokens, outputTokens, costMicroUSD });
let seq = 0;
const key = (): string => `test:${process.pid}:${++seq}`;

describe('Redis limit store', () => {
  let redis: RedisServer;
  let a: RedisLimitStore;
  let b: RedisLimitStore;

  beforeAll(async () => {
    redis = await startRedis({ password: 'e2e-redis-password' });
    const conn = { host: redis.host, port: redis.port, tls: false, password: 'e2e-redis-password', commandTimeoutMs: 500 };
    a = new RedisLimitStore(conn);
    b = new RedisLimitStore(conn);
    await new Promise<void>((resolve) => a.on('ready', () => resolve()));
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await redis.close();
  });

  it('agrees with the in-memory store on a budget sequence (reserve, busy, settle, exhausted, tooLarge)', async () => {
    const limits = { outputTokens: 100, tokens: 150 };
    const run = async (store: LimitStore, k: string): Promise<unknown[]> => {
      const out: unknown[] = [];
      out.push(await store.reserve(k, 'd1', 'r1', limits, amount(10, 60), 0, 60_000, undefined));
      out.push(await store.reserve(k, 'd1', 'r2', limits, amount(10, 60), 0, 60_000, undefined));
      out.push((await store.settle(k, 'd1', 'r1', amount(10, 60), amount(10, 95))).used);
      out.push(await store.reserve(k, 'd1', 'r3', limits, amount(0, 5), 0, 60_000, undefined));
      out.push((await store.settle(k, 'd1', 'r3', amount(0, 5), amount(0, 5))).used);
      out.push(await store.reserve(k, 'd1', 'r4', limits, amount(0, 1), 0, 60_000, undefined));
      out.push(await store.reserve(k, 'd2', 'r5', limits, amount(0, 200), 0, 60_000, undefined));
      return out.map((o) => (typeof o === 'object' && o !== null && 'state' in o ? { ok: true } : o));
    };
    expect(await run(a, key())).toEqual(await run(new MemoryLimitStore(), key()));
  });

  it('a token bucket shared by two clients lets `burst` through in total', async () => {
    const k = key();
    const spec = bucketSpec(1, 60, 5);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).take(k, spec, 0)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.find((r) => !r.allowed)?.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('in-flight slots are shared, released, and a lapsed lease frees its slot', async () => {
    const k = key();
    expect((await a.acquire(k, 'x', 2, 0, 60_000)).ok).toBe(true);
    expect((await b.acquire(k, 'y', 2, 0, 200)).ok).toBe(true);
    expect(await a.acquire(k, 'z', 2, 0, 60_000)).toEqual({ ok: false, inFlight: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await a.acquire(k, 'z', 2, 0, 60_000)).ok).toBe(true);
    await a.releaseSlot(k, 'x');
    expect((await b.acquire(k, 'w', 2, 0, 60_000)).ok).toBe(true);
  });

  it('100 reservations racing from two clients against a budget for 10 let exactly 10 through', async () => {
    const k = key();
    const limits = { outputTokens: 1000 };
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).reserve(k, 'd', `r${i}`, limits, amount(0, 100), 0, 60_000, undefined)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('a reservation whose holder died lapses after its lease and gives the budget back', async () => {
    const k = key();
    expect((await a.reserve(k, 'd', 'dead', { tokens: 100 }, amount(0, 100), 0, 200, undefined)).ok).toBe(true);
    expect((await a.reserve(k, 'd', 'next', { tokens: 100 }, amount(0, 100), 0, 200, undefined)).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await b.reserve(k, 'd', 'next', { tokens: 100 }, amount(0, 100), 0, 60_000, undefined)).ok).toBe(true);
  });

  it('a wrong password is refused (the store does not work unauthenticated)', async () => {
    const wrong = new RedisLimitStore({ host: redis.host, port: redis.port, tls: false, password: 'wrong', commandTimeoutMs: 500 });
    wrong.on('error', () => undefined);
    await expect(wrong.take(key(), bucketSpec(1, 1, 1), 0)).rejects.toThrow();
    await wrong.close();
  });

  it('with Redis stopped every operation fails within the command timeout, and works again after a restart', async () => {
    const k = key();
    a.on('error', () => undefined);
    await redis.stop();
    const started = Date.now();
    await expect(a.reserve(k, 'd', 'r', { tokens: 10 }, amount(0, 1), 0, 60_000, undefined)).rejects.toThrow();
    await expect(a.take(k, bucketSpec(1, 1, 1), 0)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    await redis.restart();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        expect((await a.take(k, bucketSpec(1, 1, 1), 0)).allowed).toBe(true);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
});
