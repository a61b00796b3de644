// `make soak` entry point (run by bench/soak.sh; never part of `make test`): a standalone sidecar process
// (the shipped executable `sidecar/bin/portcullis-sidecar --standalone`, or `--sidecar sidecar/dist/main.js`
// for Node; pinned to the proxy core) under a fixed rate of bearer requests
// for a long time, with the bench's own upstream and vegeta on the load core. Reports every request that
// did not come back 200 (target: none) and the sidecar's RSS growth after warm-up (target: ≤ 5 %).
//
//   node bench/src/soak/main.ts [--duration-seconds 1800] [--rate 1000] [--warmup-seconds N] [--sidecar FILE]
//
// The load runs as back-to-back vegeta segments of at most a minute (each its own report, so a long run
// keeps no huge results file); RSS is sampled every second from /proc.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { destroyAgent } from '../lib/http.ts';
import { memoryOf, spawnPinned, type Proc } from '../lib/procs.ts';
import { fixedRate, type FixedRateResult } from '../load/vegeta.ts';
import { startSidecar, type RunningSidecar } from '../targets/sidecar.ts';
import { AWS_REAL, BEARER_KEY, LOAD_CORE, PROXY_CORE } from '../targets/world.ts';
import { rssGrowth, type RssGrowth, type RssSample } from './memory.ts';

const MAX_GROWTH_PERCENT = 5;
const SEGMENT_S = 60;
const repoRoot = resolve(import.meta.dirname, '../../..');
const started = Date.now();
const log = (line: string): void => console.error(`soak [${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);

interface Segment {
  readonly fromS: number;
  readonly seconds: number;
  readonly requests: number;
  readonly achievedRate: number;
  readonly non200: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

interface SoakResult {
  readonly date: string;
  readonly commit: string;
  /** The executable (or Node script) soaked. */
  readonly sidecar: string;
  readonly durationS: number;
  readonly warmupS: number;
  readonly rate: number;
  readonly requests: number;
  readonly errors: number;
  /** Lines the sidecar logged at error level or above. */
  readonly sidecarErrorLines: number;
  readonly rss: RssGrowth;
  readonly segments: readonly Segment[];
  readonly loadAverage: readonly number[];
  readonly pass: boolean;
}

function segmentOf(fromS: number, seconds: number, r: FixedRateResult): Segment {
  return {
    fromS,
    seconds,
    requests: r.requests,
    achievedRate: r.achievedRate,
    non200: r.requests - (r.statusCodes['200'] ?? 0),
    statusCodes: r.statusCodes,
    errors: r.errors,
    p50Ms: r.p50,
    p99Ms: r.p99,
    maxMs: r.max,
  };
}

function countErrorLines(proc: Proc): () => number {
  let n = 0;
  let rest = '';
  proc.child.stderr?.on('data', (chunk: string | Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (/"level":(50|60)\b/.test(line)) n++;
  });
  return () => n;
}

async function soak(main: string, durationS: number, rate: number, warmupS: number, dir: string): Promise<SoakResult> {
  const procs: Proc[] = [];
  try {
    const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: LOAD_CORE });
    procs.push(upstream);
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    const port = 18000 + Math.floor(Math.random() * 2000);
    const sidecar: RunningSidecar = await startSidecar(dir, { kind: 'bearer', port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE, main);
    procs.push(sidecar.proc);
    const errorLines = countErrorLines(sidecar.proc);
    log(`sidecar ${main} pid ${sidecar.proc.pid} on core ${PROXY_CORE} (:${port}), upstream and vegeta on core ${LOAD_CORE}; ${rate} requests/s for ${durationS} s, warm-up ${warmupS} s`);

    const samples: RssSample[] = [];
    const t0 = performance.now();
    const sample = (): void => void samples.push({ atS: (performance.now() - t0) / 1000, rssKiB: memoryOf(sidecar.proc.pid).rssKiB });
    const sampler = setInterval(sample, 1000);
    const segments: Segment[] = [];
    try {
      const spec = { method: 'GET', url: `http://127.0.0.1:${port}/bytes/1024`, headers: { authorization: 'Bearer portcullis-placeholder' } };
      while ((performance.now() - t0) / 1000 < durationS - 1) {
        const fromS = (performance.now() - t0) / 1000;
        const seconds = Math.max(1, Math.min(SEGMENT_S, Math.round(durationS - fromS)));
        const seg = segmentOf(fromS, seconds, await fixedRate(spec, rate, seconds, LOAD_CORE));
        segments.push(seg);
        const rss = samples.at(-1)?.rssKiB ?? NaN;
        log(`${Math.round(fromS + seconds)}/${durationS} s: ${seg.requests} requests at ${seg.achievedRate.toFixed(0)}/s, ${seg.non200} not 200, p99 ${seg.p99Ms.toFixed(2)} ms, RSS ${(rss / 1024).toFixed(1)} MiB`);
        if (sidecar.proc.child.exitCode !== null) throw new Error(`the sidecar exited (${sidecar.proc.child.exitCode}):\n${sidecar.proc.tail()}`);
      }
    } finally {
      clearInterval(sampler);
    }
    const endS = (performance.now() - t0) / 1000;
    const rss = rssGrowth(samples, warmupS, endS, Math.min(60, warmupS / 2));
    const requests = segments.reduce((a, s) => a + s.requests, 0);
    const errors = segments.reduce((a, s) => a + s.non200, 0);
    const sidecarErrorLines = errorLines();
    return {
      date: new Date().toISOString(),
      commit: '',
      sidecar: main,
      durationS,
      warmupS,
      rate,
      requests,
      errors,
      sidecarErrorLines,
      rss,
      segments,
      loadAverage: loadavg(),
      pass: errors === 0 && sidecarErrorLines === 0 && rss.growthPercent <= MAX_GROWTH_PERCENT,
    };
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

function summary(r: SoakResult): string {
  const mib = (kib: number): string => (kib / 1024).toFixed(1);
  const worstP99 = Math.max(...r.segments.map((s) => s.p99Ms));
  return [
    `| soak of \`${r.sidecar}\` (${r.commit}) | ${r.durationS} s at ${r.rate} requests/s (warm-up ${r.warmupS} s) |`,
    '|---|---|',
    `| requests | ${r.requests} |`,
    `| errors (not 200, or no answer) | ${r.errors} (target 0) |`,
    `| sidecar error log lines | ${r.sidecarErrorLines} |`,
    `| RSS after warm-up → end (median over ${r.rss.windowS} s) | ${mib(r.rss.baselineKiB)} → ${mib(r.rss.endKiB)} MiB: ${r.rss.growthPercent.toFixed(1)} % (target ≤ ${MAX_GROWTH_PERCENT} %) |`,
    `| RSS peak after warm-up | ${mib(r.rss.peakAfterWarmupKiB)} MiB |`,
    `| worst per-minute p99 | ${worstP99.toFixed(2)} ms |`,
    `| load average at the end | ${r.loadAverage.map((l) => l.toFixed(2)).join(' ')} |`,
    `| result | ${r.pass ? 'PASS' : 'FAIL'} |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'duration-seconds': { type: 'string', default: '1800' }, rate: { type: 'string', default: '1000' }, 'warmup-seconds': { type: 'string' }, commit: { type: 'string', default: '' }, sidecar: { type: 'string', default: 'sidecar/bin/portcullis-sidecar' } } });
  const durationS = Number(values['duration-seconds']);
  const rate = Number(values.rate);
  if (!Number.isInteger(durationS) || durationS < 60) throw new Error(`--duration-seconds must be a whole number ≥ 60, got ${values['duration-seconds']}`);
  if (!Number.isInteger(rate) || rate < 1) throw new Error(`--rate must be a positive whole number, got ${values.rate}`);
  // Long enough for the JIT, the heap's steady size and the keep-alive pools: 5 minutes of a 30-minute run.
  const warmupS = values['warmup-seconds'] === undefined ? Math.min(300, Math.max(30, Math.round(durationS / 6))) : Number(values['warmup-seconds']);
  if (!Number.isFinite(warmupS) || warmupS < 10 || warmupS > durationS - 20) throw new Error(`--warmup-seconds must be from 10 to duration − 20, got ${warmupS}`);

  mkdirSync(join(repoRoot, '.cache/bench'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache/bench/soak-'));
  let result: SoakResult;
  try {
    result = { ...(await soak(values.sidecar, durationS, rate, warmupS, dir)), commit: values.commit };
  } finally {
    destroyAgent();
    rmSync(dir, { recursive: true, force: true });
  }
  // The published run (the default 30 minutes) goes to bench/results; shorter checks stay in .cache.
  const day = result.date.slice(0, 10);
  const file = durationS >= 1800 ? join(repoRoot, 'bench/results', `soak-${day}.json`) : join(repoRoot, '.cache/bench', `soak-${day}-${durationS}s.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '.md'), `${summary(result)}\n`);
  log(`wrote ${file} and ${file.replace(/\.json$/, '.md')}`);
  process.stdout.write(`${summary(result)}\n`);
  if (!result.pass) process.exitCode = 1;
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
