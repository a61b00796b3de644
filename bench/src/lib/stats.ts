/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? (finite[mid] as number) : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
}

export interface Spread {
  /** The median over rounds: the value reported. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** One value per round, in round order. */
  readonly rounds: readonly number[];
}

export function spread(rounds: readonly number[]): Spread {
  const finite = rounds.filter((v) => Number.isFinite(v));
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : NaN,
    max: finite.length ? Math.max(...finite) : NaN,
    rounds,
  };
}

export function summarize(samples: number[]): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export const round = (v: number, digits = 3): number => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);
