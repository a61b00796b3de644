// Added latency at fixed rates: every available variant at 500/1k/2k rps, alternating within each round;
// "added" is the variant's percentile minus its direct baseline's in the same round (paired, so slow
// phases of a noisy machine hit both), and the median of the rounds is reported.
import { spread, type Spread } from '../lib/stats.ts';
import { fixedRate, type FixedRateResult } from '../load/vegeta.ts';
import type { Profile } from '../profile.ts';
import { LOAD_CORE, type Variant, type World } from '../targets/world.ts';

export interface LatencyCell {
  readonly p50: Spread;
  readonly p90: Spread;
  readonly p99: Spread;
  /** Minus the direct baseline, same round and rate; undefined for the baselines themselves. */
  readonly added: { readonly p50: Spread; readonly p90: Spread; readonly p99: Spread } | undefined;
  /** Worst round: fraction of 2xx answers, and the rate vegeta really issued. */
  readonly success: number;
  readonly achievedRate: number;
  readonly problems: readonly string[];
}

export interface LatencyResult {
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly rounds: number;
  readonly variants: Record<string, { readonly label: string; readonly available: boolean; readonly reason?: string; readonly byRate: Record<string, LatencyCell> }>;
}

export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length ? by % items.length : 0;
  return [...items.slice(k), ...items.slice(0, k)];
}

function problemsOf(r: FixedRateResult): string[] {
  const out: string[] = [];
  if (r.success < 0.999) out.push(`${((1 - r.success) * 100).toFixed(2)} % failed (${JSON.stringify(r.statusCodes)} ${r.errors.join('; ')})`);
  if (r.achievedRate < r.rate * 0.97) out.push(`vegeta issued only ${r.achievedRate.toFixed(0)} of ${r.rate} rps`);
  return out;
}

type Run = FixedRateResult & { round: number };

/** One variant at one rate over the rounds; `base` is its direct baseline (undefined for baselines). */
function cellOf(runs: readonly Run[], base: readonly Run[] | undefined): LatencyCell {
  if (runs.length === 0) {
    const none = spread([]);
    return { p50: none, p90: none, p99: none, added: undefined, success: NaN, achievedRate: NaN, problems: ['not run: overloaded at a lower rate in every round'] };
  }
  const added = (p: 'p50' | 'p90' | 'p99'): Spread => spread(runs.map((r) => r[p] - (base?.find((b) => b.round === r.round)?.[p] ?? NaN)));
  return {
    p50: spread(runs.map((r) => r.p50)),
    p90: spread(runs.map((r) => r.p90)),
    p99: spread(runs.map((r) => r.p99)),
    added: base ? { p50: added('p50'), p90: added('p90'), p99: added('p99') } : undefined,
    success: Math.min(...runs.map((r) => r.success)),
    achievedRate: Math.min(...runs.map((r) => r.achievedRate)),
    problems: runs.flatMap(problemsOf),
  };
}

function describe(r: FixedRateResult): string {
  const problems = problemsOf(r);
  return `p50 ${r.p50.toFixed(3)} p90 ${r.p90.toFixed(3)} p99 ${r.p99.toFixed(3)} ms${problems.length ? ` (${problems.join('; ')})` : ''}`;
}

/** p50 above this, or more than 1 % failures: the proxy is past its capacity at this rate. */
const OVERLOADED_P50_MS = 50;

export async function latencyScenario(world: World, profile: Profile, log: (line: string) => void): Promise<LatencyResult> {
  const variants = world.variants.filter((v) => v.available);
  const raw = new Map<string, Run[]>();
  const key = (v: Variant | string, rate: number): string => `${typeof v === 'string' ? v : v.id}@${rate}`;
  for (let round = 0; round < profile.latencyRounds; round++) {
    // A variant past its capacity at one rate is not driven at the higher ones in this round: its queue
    // would take seconds to drain and spill into the next variant's measurement.
    const overloaded = new Set<string>();
    for (const rate of profile.rates) {
      for (const v of rotate(variants, round + rate)) {
        if (overloaded.has(v.id)) continue;
        const r = await fixedRate(await v.spec('1KiB'), rate, profile.latencySeconds, LOAD_CORE);
        raw.set(key(v, rate), [...(raw.get(key(v, rate)) ?? []), { ...r, round }]);
        if (r.p50 > OVERLOADED_P50_MS || r.success < 0.99) overloaded.add(v.id);
        log(`latency round ${round + 1}/${profile.latencyRounds} ${rate} rps ${v.id}: ${describe(r)}${overloaded.has(v.id) ? ' — overloaded, higher rates skipped this round' : ''}`);
      }
    }
  }
  return resultOf(world, profile, (id, rate) => raw.get(key(id, rate)) ?? []);
}

function resultOf(world: World, profile: Profile, runsOf: (id: string, rate: number) => Run[]): LatencyResult {
  const result: LatencyResult = { rates: profile.rates, seconds: profile.latencySeconds, rounds: profile.latencyRounds, variants: {} };
  for (const v of world.variants) {
    const byRate: Record<string, LatencyCell> = {};
    if (v.available) {
      for (const rate of profile.rates) byRate[rate] = cellOf(runsOf(v.id, rate), v.id === v.baseline ? undefined : runsOf(v.baseline, rate));
    }
    result.variants[v.id] = { label: v.label, available: v.available, ...(v.reason ? { reason: v.reason } : {}), byRate };
  }
  return result;
}
