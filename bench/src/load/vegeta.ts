// Fixed-rate load with vegeta (open loop): requests leave on a constant schedule whatever the responses
// do, and vegeta adds workers when earlier requests are still in flight, so a slow response cannot hold
// back the requests due after it (no coordinated omission). The run is rejected when vegeta did not
// manage to keep the rate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostOverride, type HttpSpec } from '../lib/http.ts';
import { run } from '../lib/procs.ts';

export interface FixedRateResult {
  readonly rate: number;
  readonly requests: number;
  /** Requests per second vegeta actually issued. */
  readonly achievedRate: number;
  readonly success: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
  /** Latency in ms. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

interface VegetaReport {
  latencies: { '50th': number; '90th': number; '99th': number; max: number; mean: number };
  requests: number;
  rate: number;
  success: number;
  status_codes: Record<string, number>;
  errors: string[] | null;
}

export function vegetaBin(): string {
  return process.env.BENCH_VEGETA ?? 'vegeta';
}

export interface FixedRateOptions {
  /** PEM file of the CA that signed an https target's certificate (vegeta verifies it). */
  readonly rootCerts?: string;
}

export async function fixedRate(spec: HttpSpec, rate: number, durationS: number, core: number, opts: FixedRateOptions = {}): Promise<FixedRateResult> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-vegeta-'));
  try {
    const lines = [`${spec.method} ${spec.url}`, ...Object.entries(spec.headers).filter(([k]) => k !== 'host' && k !== 'content-length').map(([k, v]) => `${k}: ${v}`)];
    const host = hostOverride(spec);
    if (host !== undefined) lines.push(`Host: ${host}`);
    if (spec.body !== undefined) {
      writeFileSync(join(dir, 'body'), spec.body);
      lines.push(`@${join(dir, 'body')}`);
    }
    writeFileSync(join(dir, 'targets'), `${lines.join('\n')}\n`);
    const results = join(dir, 'results.bin');
    await run(vegetaBin(), ['attack', `-targets=${join(dir, 'targets')}`, `-rate=${rate}/1s`, `-duration=${durationS}s`, '-timeout=5s', '-keepalive=true', ...(opts.rootCerts ? [`-root-certs=${opts.rootCerts}`] : []), `-output=${results}`], {
      core,
      timeoutMs: (durationS + 30) * 1000,
    });
    const report = JSON.parse(await run(vegetaBin(), ['report', '-type=json', results], { timeoutMs: 60_000 })) as VegetaReport;
    const ms = (ns: number): number => ns / 1e6;
    return {
      rate,
      requests: report.requests,
      achievedRate: report.rate,
      success: report.success,
      statusCodes: report.status_codes,
      errors: (report.errors ?? []).slice(0, 5),
      p50: ms(report.latencies['50th']),
      p90: ms(report.latencies['90th']),
      p99: ms(report.latencies['99th']),
      max: ms(report.latencies.max),
      mean: ms(report.latencies.mean),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
