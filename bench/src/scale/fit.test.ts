import { describe, expect, it } from '@jest/globals';
import { hasTrend, linearFit, predict } from './fit.ts';

describe('linearFit', () => {
  it('recovers an exact line and extrapolates it', () => {
    const xs = [10, 25, 50, 100, 200];
    const fit = linearFit(xs, xs.map((n) => 3 + n / 60));
    expect(fit.slope).toBeCloseTo(1 / 60, 12);
    expect(fit.intercept).toBeCloseTo(3, 10);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(predict(fit, 5000)).toBeCloseTo(3 + 5000 / 60, 8);
  });

  it('gives the least-squares line through noisy points', () => {
    // Worked by hand: mean x 2.5, mean y 5, Sxy 8, Sxx 5 → slope 1.6, intercept 1; SSE 3.2 of Syy 16 → r² 0.8.
    const fit = linearFit([1, 2, 3, 4], [3, 3, 7, 7]);
    expect(fit.slope).toBeCloseTo(1.6, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.r2).toBeCloseTo(0.8, 12);
    // SE = sqrt(SSE / (n − 2) / Sxx) = sqrt(3.2 / 2 / 5).
    expect(fit.slopeSE).toBeCloseTo(Math.sqrt(0.32), 12);
    expect(hasTrend(fit)).toBe(true);
  });

  it('finds no trend in noise around a flat level', () => {
    const fit = linearFit([10, 25, 50, 100, 200, 250], [175, 162, 193, 272, 153, 251]);
    expect(hasTrend(fit)).toBe(false);
  });

  it('skips points that were not measured (NaN) instead of poisoning the fit', () => {
    const fit = linearFit([10, 20, 30], [1, Number.NaN, 3]);
    expect(fit.points).toBe(2);
    expect(fit.slope).toBeCloseTo(0.1, 12);
  });

  it('reports r² as NaN for a flat series rather than dividing by zero', () => {
    const fit = linearFit([1, 2, 3], [5, 5, 5]);
    expect(fit.slope).toBe(0);
    expect(Number.isNaN(fit.r2)).toBe(true);
  });

  it('refuses fewer than two points and a single x value', () => {
    expect(() => linearFit([1], [1])).toThrow(/at least 2/);
    expect(() => linearFit([2, 2], [1, 3])).toThrow(/every x is the same/);
    expect(() => linearFit([1, 2], [1])).toThrow(/2 x values but 1/);
  });
});
