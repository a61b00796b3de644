// Maximum throughput with wrk (closed loop: 32 connections, each sends its next request when the previous
// answer is in). Right for "how many requests per second can the proxy core do", wrong for latency —
// latency comes from the fixed-rate runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpSpec } from '../lib/http.ts';
import { run } from '../lib/procs.ts';

export interface ThroughputResult {
  readonly rps: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly mibPerSecond: number;
}

const luaString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export async function maxThroughput(spec: HttpSpec, connections: number, durationS: number, core: number): Promise<ThroughputResult> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-wrk-'));
  try {
    const script = [`wrk.method = ${luaString(spec.method)}`];
    for (const [k, v] of Object.entries(spec.headers)) {
      if (k !== 'host' && k !== 'content-length') script.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
    }
    if (spec.body !== undefined) script.push(`wrk.body = ${luaString(spec.body)}`);
    writeFileSync(join(dir, 'script.lua'), `${script.join('\n')}\n`);
    const out = await run('wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, '-s', join(dir, 'script.lua'), spec.url], { core, timeoutMs: (durationS + 30) * 1000 });
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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
