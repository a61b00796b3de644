import { describe, expect, it } from '@jest/globals';
import { cappedBackoffMs } from './backoff.js';

describe('cappedBackoffMs', () => {
  it('waits the initial delay after the first failure and doubles after each further one', () => {
    expect([1, 2, 3, 4].map((n) => cappedBackoffMs(n, 500, 30_000))).toEqual([500, 1000, 2000, 4000]);
  });

  it('never waits longer than the cap', () => {
    expect(cappedBackoffMs(7, 500, 30_000)).toBe(30_000);
    expect(cappedBackoffMs(60, 500, 30_000)).toBe(30_000);
  });
});
