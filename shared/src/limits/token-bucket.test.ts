import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bucketSpec, takeToken, type BucketState } from './token-bucket.js';

describe('token bucket', () => {
  it('allows a burst of `burst` requests at once, then refuses with the time until the next token', () => {
    const spec = bucketSpec(2, 1, 5);
    let state: BucketState | undefined;
    const allowed: boolean[] = [];
    let last = takeToken(spec, state, 0);
    for (let i = 0; i < 6; i++) {
      last = takeToken(spec, state, 1000);
      state = last.state;
      allowed.push(last.allowed);
    }
    expect(allowed).toEqual([true, true, true, true, true, false]);
    expect(last.retryAfterMs).toBe(500);
  });

  it('refills at the rate: 2 per second lets one through every 500 ms', () => {
    const spec = bucketSpec(2, 1, 1);
    let state = takeToken(spec, undefined, 0).state;
    expect(takeToken(spec, state, 499).allowed).toBe(false);
    const r = takeToken(spec, state, 500);
    expect(r.allowed).toBe(true);
    state = r.state;
    expect(takeToken(spec, state, 600).allowed).toBe(false);
  });

  it('a clock going backwards refills nothing', () => {
    const spec = bucketSpec(1, 1, 1);
    const state = takeToken(spec, undefined, 10_000).state;
    expect(takeToken(spec, state, 0).allowed).toBe(false);
  });

  it('never lets more through than burst + rate × elapsed (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 200 }),
        (count, period, burst, gaps) => {
          const spec = bucketSpec(count, period, burst);
          let state: BucketState | undefined;
          let now = 0;
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            const r = takeToken(spec, state, now);
            state = r.state;
            if (r.allowed) allowed++;
          }
          expect(allowed).toBeLessThanOrEqual(burst + Math.floor((spec.ratePerSecond * now) / 1000) + 1e-9);
        },
      ),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
