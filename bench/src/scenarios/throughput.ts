// Maximum throughput at 1 KiB and 16 KiB responses: the proxy alone on the proxy core, wrk and the
// upstream on the load core; alternating rounds; ratios are taken per round (paired) and their median
// reported, which cancels most of the machine's drift.
import { memoryOf } from '../lib/procs.ts';
import { spread, type Spread } from '../lib/stats.ts';
import { maxThroughput, type ThroughputResult } from '../load/wrk.ts';
import type { Profile } from '../profile.ts';
import { LOAD_CORE, type Size, type World } from '../targets/world.ts';
import { rotate } from './latency.ts';

export const SIZES: readonly Size[] = ['1KiB', '16KiB'];

export interface ThroughputCell {
  readonly rps: Spread;
  readonly mibPerSecond: Spread;
  /** Paired per-round ratios. */
  readonly vsDirect: Spread;
  readonly vsNginx: Spread;
  readonly errors: number;
}

export interface ThroughputReport {
  readonly connections: number;
  readonly seconds: number;
  readonly rounds: number;
  readonly variants: Record<string, ThroughputVariant>;
}

export interface ThroughputVariant {
  readonly label: string;
  readonly available: boolean;
  readonly reason?: string;
  readonly bySize: Record<string, ThroughputCell>;
  /**
   * The proxy process after all the rounds: resident now, and its peak (VmHWM) since it started — the
   * same process served the warm-up and the latency runs before, as every variant's did.
   */
  readonly rssAfterMiB?: number;
  readonly peakRssMiB?: number;
}

function memoryMiB(pid: number | undefined): { rssAfterMiB: number; peakRssMiB: number } | Record<string, never> {
  if (pid === undefined) return {};
  try {
    const m = memoryOf(pid);
    return { rssAfterMiB: m.rssKiB / 1024, peakRssMiB: m.peakKiB / 1024 };
  } catch {
    return {}; // the process is gone: its memory is not known, and its throughput cells show the errors
  }
}

export async function throughputScenario(world: World, profile: Profile, log: (line: string) => void): Promise<ThroughputReport> {
  const variants = world.variants.filter((v) => v.available);
  const raw = new Map<string, ThroughputResult[]>();
  for (let round = 0; round < profile.throughputRounds; round++) {
    for (const size of SIZES) {
      for (const v of rotate(variants, round + (size === '1KiB' ? 0 : 3))) {
        const r = await maxThroughput(await v.spec(size), profile.connections, profile.throughputSeconds, LOAD_CORE).catch((err: unknown): ThroughputResult => {
          log(`throughput ${size} ${v.id} failed: ${String(err).slice(0, 300)}`);
          return { rps: NaN, requests: 0, non2xx: 0, socketErrors: 1, mibPerSecond: NaN, latencyMs: { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN } };
        });
        const k = `${v.id}@${size}`;
        raw.set(k, [...(raw.get(k) ?? []), r]);
        log(`throughput round ${round + 1}/${profile.throughputRounds} ${size} ${v.id}: ${r.rps.toFixed(0)} rps${r.non2xx + r.socketErrors ? ` (${r.non2xx} non-2xx, ${r.socketErrors} socket errors)` : ''}`);
      }
    }
  }
  const result: ThroughputReport = { connections: profile.connections, seconds: profile.throughputSeconds, rounds: profile.throughputRounds, variants: {} };
  for (const v of world.variants) {
    const bySize: Record<string, ThroughputCell> = {};
    if (v.available) {
      for (const size of SIZES) {
        const runs = raw.get(`${v.id}@${size}`) ?? [];
        const direct = raw.get(`${v.baseline}@${size}`) ?? [];
        const nginx = raw.get(`nginx@${size}`) ?? [];
        bySize[size] = {
          rps: spread(runs.map((r) => r.rps)),
          mibPerSecond: spread(runs.map((r) => r.mibPerSecond)),
          vsDirect: spread(runs.map((r, i) => r.rps / (direct[i]?.rps ?? NaN))),
          vsNginx: spread(runs.map((r, i) => r.rps / (nginx[i]?.rps ?? NaN))),
          errors: runs.reduce((a, r) => a + r.non2xx + r.socketErrors, 0),
        };
      }
    }
    result.variants[v.id] = { label: v.label, available: v.available, ...(v.reason ? { reason: v.reason } : {}), bySize, ...(v.available ? memoryMiB(v.pid) : {}) };
  }
  return result;
}

/** A short closed-loop run per variant so every process is JIT-warm before anything is recorded. */
export async function warmup(world: World, profile: Profile, log: (line: string) => void): Promise<void> {
  for (const v of world.variants.filter((x) => x.available)) {
    let r = await maxThroughput(await v.spec('1KiB'), profile.connections, profile.warmupSeconds, LOAD_CORE);
    // On a loaded machine a cold process may finish nothing in a 1 s (quick) warm-up: one longer try
    // before calling it broken. A wrong credential shows as non-2xx either way.
    if (r.requests === 0 && r.non2xx === 0) r = await maxThroughput(await v.spec('1KiB'), profile.connections, profile.warmupSeconds * 5, LOAD_CORE);
    if (r.requests === 0 || r.non2xx > 0) throw new Error(`warm-up of ${v.id} failed: ${r.requests} requests, ${r.non2xx} non-2xx — is the credential injected?`);
    log(`warm-up ${v.id}: ${r.rps.toFixed(0)} rps`);
  }
}
