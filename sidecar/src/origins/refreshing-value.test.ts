import { describe, expect, it } from '@jest/globals';
import { RefreshingValue, type Expiring } from './refreshing-value.js';

function setup(expiresInMs = 60_000) {
  let now = 0;
  let n = 0;
  const pending: { resolve: (v: Expiring<number>) => void; reject: (e: Error) => void }[] = [];
  const background: unknown[] = [];
  const fetches = (): number => n;
  const cache = new RefreshingValue<number>(
    () =>
      new Promise((resolve, reject) => {
        n++;
        pending.push({ resolve, reject });
      }),
    { refreshBeforeExpiryMs: 10_000, retryInitialMs: 1000, retryMaxMs: 4000, now: () => now, onBackgroundError: (e) => background.push(e) },
  );
  const settle = (value: number): void => pending.shift()?.resolve({ value, expiresAtMs: now + expiresInMs });
  const fail = (reason: unknown = new Error('sts down')): void => pending.shift()?.reject(reason as Error);
  return { cache, fetches, settle, fail, background, tick: (ms: number) => (now += ms) };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('RefreshingValue', () => {
  it('makes one fetch for concurrent callers and serves the value until the refresh window', async () => {
    const t = setup();
    const all = Promise.all([t.cache.get(), t.cache.get(), t.cache.get()]);
    t.settle(1);
    expect(await all).toEqual([1, 1, 1]);
    t.tick(49_000);
    expect(await t.cache.get()).toBe(1);
    expect(t.fetches()).toBe(1);
  });

  it('refreshes ahead of expiry in the background while still serving the current value', async () => {
    const t = setup();
    const first = t.cache.get();
    t.settle(1);
    await first;
    t.tick(51_000);
    expect(await t.cache.get()).toBe(1);
    expect(await t.cache.get()).toBe(1);
    expect(t.fetches()).toBe(2);
    t.settle(2);
    await flush();
    expect(await t.cache.get()).toBe(2);
  });

  it('makes callers wait once the value has expired', async () => {
    const t = setup();
    const first = t.cache.get();
    t.settle(1);
    await first;
    t.tick(61_000);
    const next = t.cache.get();
    t.settle(2);
    expect(await next).toBe(2);
  });

  it('after a failure answers with that error until the backoff has passed, then tries again', async () => {
    const t = setup();
    const first = t.cache.get();
    t.fail();
    await expect(first).rejects.toThrow('sts down');
    await expect(t.cache.get()).rejects.toThrow('sts down');
    expect(t.fetches()).toBe(1);
    t.tick(1001);
    const retry = t.cache.get();
    t.settle(3);
    expect(await retry).toBe(3);
  });

  it('keeps serving a still-valid value when the background refresh fails, and reports it', async () => {
    const t = setup();
    const first = t.cache.get();
    t.settle(1);
    await first;
    t.tick(55_000);
    expect(await t.cache.get()).toBe(1);
    t.fail();
    await flush();
    expect(t.background).toHaveLength(1);
    expect(await t.cache.get()).toBe(1);
    expect(t.fetches()).toBe(2);
  });

  it('answers a thrown non-Error with an INTERNAL error during the backoff, as the handler would', async () => {
    const t = setup();
    const first = t.cache.get();
    t.fail('a string');
    await expect(first).rejects.toBe('a string');
    await expect(t.cache.get()).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('a string') });
    expect(t.fetches()).toBe(1);
  });
});
