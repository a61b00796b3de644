// RSS over a soak, judged after warm-up: a median over a window at the end of warm-up against a median
// over the same length of window at the end of the run. Medians, because the heap's sawtooth (a young
// generation filling and being scavenged) moves single samples by several MiB either way.
import { median } from '../lib/stats.ts';

export interface RssSample {
  /** Seconds since the load started. */
  readonly atS: number;
  readonly rssKiB: number;
}

export interface RssGrowth {
  readonly baselineKiB: number;
  readonly endKiB: number;
  /** Highest single sample after warm-up. */
  readonly peakAfterWarmupKiB: number;
  /** (end − baseline) / baseline, in percent. */
  readonly growthPercent: number;
  readonly windowS: number;
}

export function rssGrowth(samples: readonly RssSample[], warmupS: number, endS: number, windowS: number): RssGrowth {
  const inWindow = (from: number, to: number): number[] => samples.filter((s) => s.atS > from && s.atS <= to).map((s) => s.rssKiB);
  const baseline = median(inWindow(warmupS - windowS, warmupS));
  const end = median(inWindow(endS - windowS, endS));
  const after = samples.filter((s) => s.atS > warmupS).map((s) => s.rssKiB);
  return {
    baselineKiB: baseline,
    endKiB: end,
    peakAfterWarmupKiB: after.length ? Math.max(...after) : NaN,
    growthPercent: ((end - baseline) / baseline) * 100,
    windowS,
  };
}
