import { describe, expect, it } from '@jest/globals';
import { MIN_REVIEW_DELAY_MS, jitteredIntervalMs, longestIntervalMs, nextReviewDelayMs } from './schedule.js';

const SECOND = 1000;
const INTERVAL = 900 * SECOND;
const NOW = Date.UTC(2026, 0, 1);

describe('review schedule', () => {
  it('jitters the interval from -10 % to +10 % as the draw goes from 0 to 1', () => {
    expect(jitteredIntervalMs(INTERVAL, () => 0)).toBe(810 * SECOND);
    expect(jitteredIntervalMs(INTERVAL, () => 0.5)).toBe(INTERVAL);
    expect(jitteredIntervalMs(INTERVAL, () => 0.75)).toBe(945 * SECOND);
    expect(jitteredIntervalMs(INTERVAL, () => 0.999_999_9)).toBeLessThan(longestIntervalMs(INTERVAL) + 1);
    expect(longestIntervalMs(INTERVAL)).toBe(990 * SECOND);
  });

  it('keeps a draw outside [0, 1) within the ±10 % band', () => {
    expect(jitteredIntervalMs(INTERVAL, () => -3)).toBe(810 * SECOND);
    expect(jitteredIntervalMs(INTERVAL, () => 7)).toBe(990 * SECOND);
  });

  it('averages to the interval, so the review rate stays 1/interval per pod', () => {
    let i = 0;
    const n = 10_000;
    const evenly = (): number => (i++ + 0.5) / n;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += jitteredIntervalMs(INTERVAL, evenly);
    expect(Math.abs(sum / n - INTERVAL)).toBeLessThan(SECOND);
  });

  it('reviews a minute before expiry, unjittered, when that comes first', () => {
    const input = { nowMs: NOW, tokenExpMs: NOW + 600 * SECOND, refreshBeforeExpiryMs: 60 * SECOND, intervalMs: INTERVAL, random: () => 0 };
    expect(nextReviewDelayMs(input)).toBe(540 * SECOND);
  });

  it('takes the jittered interval when the token outlives it', () => {
    const input = { nowMs: NOW, tokenExpMs: NOW + 3600 * SECOND, refreshBeforeExpiryMs: 60 * SECOND, intervalMs: INTERVAL, random: () => 0.25 };
    expect(nextReviewDelayMs(input)).toBe(855 * SECOND);
    expect(nextReviewDelayMs({ ...input, tokenExpMs: undefined })).toBe(855 * SECOND);
  });

  it('waits at least a second, even for a token about to expire', () => {
    const input = { nowMs: NOW, tokenExpMs: NOW + 30 * SECOND, refreshBeforeExpiryMs: 60 * SECOND, intervalMs: INTERVAL, random: () => 0.5 };
    expect(nextReviewDelayMs(input)).toBe(MIN_REVIEW_DELAY_MS);
  });
});
