import { describe, expect, it } from '@jest/globals';
import { rssGrowth, type RssSample } from './memory.ts';

/** One sample a second: a sawtooth of ±4 MiB around `level(t)`. */
function series(seconds: number, level: (t: number) => number): RssSample[] {
  return Array.from({ length: seconds }, (_, i) => ({ atS: i + 1, rssKiB: level(i + 1) + (i % 2 ? 4096 : -4096) }));
}

describe('rssGrowth', () => {
  it('reports no growth for a flat sawtooth, whatever its phase at the window edges', () => {
    const g = rssGrowth(series(600, () => 80_000), 100, 600, 30);
    expect(g.growthPercent).toBeCloseTo(0, 5);
    expect(g.peakAfterWarmupKiB).toBe(84_096);
  });

  it('ignores the warm-up climb and measures the climb after it', () => {
    // 40 → 80 MiB in the first minute of warm-up, flat to its end, then +10 % linearly to the end.
    const level = (t: number): number => (t <= 60 ? 40_000 + (40_000 * t) / 60 : t <= 100 ? 80_000 : 80_000 + (8_000 * (t - 100)) / 500);
    const g = rssGrowth(series(600, level), 100, 600, 30);
    expect(g.baselineKiB).toBe(80_000);
    expect(g.growthPercent).toBeGreaterThan(8);
    expect(g.growthPercent).toBeLessThan(11);
  });
});
