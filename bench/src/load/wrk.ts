// Maximum throughput with wrk (closed loop: 32 connections, each sends its next request when the previous
// answer is in). Right for "how many requests per second can the proxy core do", wrong for latency —
// latency comes from the fixed-rate runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostOverride, type HttpSpec } from '../lib/http.ts';
import { run } from '../lib/procs.ts';

export interface ThroughputResult {
  readonly rps: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly mibPerSecond: number;
  /** Latency as wrk measures it (closed loop: each includes the wait behind the other connections). */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
}

const MS_PER_UNIT: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** "  Latency   812.00us  1.2ms  40.00ms  85%" and the --latency distribution ("     99%   12.34ms"). */
export function parseWrkLatency(out: string): ThroughputResult['latencyMs'] {
  const duration = (value: string | undefined, unit: string | undefined): number =>
    value === undefined || unit === undefined ? Number.NaN : Number(value) * (MS_PER_UNIT[unit] ?? Number.NaN);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return duration(m?.[1], m?.[2]);
  };
  const stats = /^\s+Latency\s+([\d.]+)(us|ms|s|m)\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m)/m.exec(out);
  return { p50: pct('50'), p90: pct('90'), p99: pct('99'), max: duration(stats?.[3], stats?.[4]), mean: duration(stats?.[1], stats?.[2]) };
}

const luaString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export async function maxThroughput(spec: HttpSpec, connections: number, durationS: number, core: number): Promise<ThroughputResult> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-wrk-'));
  try {
    const script = [`wrk.method = ${luaString(spec.method)}`];
    for (const [k, v] of Object.entries(spec.headers)) {
      if (k !== 'host' && k !== 'content-length') script.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
    }
    const host = hostOverride(spec);
    if (host !== undefined) script.push(`wrk.headers["Host"] = ${luaString(host)}`);
    if (spec.body !== undefined) script.push(`wrk.body = ${luaString(spec.body)}`);
    writeFileSync(join(dir, 'script.lua'), `${script.join('\n')}\n`);
    const out = await run('wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '-s', join(dir, 'script.lua'), spec.url], { core, timeoutMs: (durationS + 30) * 1000 });
    const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);
    const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out);
    const unit: Record<string, number> = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 };
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/),
      requests: num(/(\d+) requests in/),
      non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
      socketErrors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      mibPerSecond: transfer ? Number(transfer[1]) * (unit[transfer[2] ?? 'MB'] ?? 1) : 0,
      latencyMs: parseWrkLatency(out),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
