// Idle memory and start-up of the sidecar, variants side by side (issue 12, ADR 38): each start is a fresh
// standalone process (one bearer source, or one SigV4 source) pinned to the proxy core, and its resident
// memory is read from /proc at four moments:
//   ready     1 s after /readyz first answered 200 (nothing proxied yet);
//   warm      after 200 proxied requests, one at a time, and 1 s of quiet;
//   load      after 20,000 proxied requests (--requests), 32 at a time, and 2 s of quiet;
// and the CPU time per request of the first 200 requests (the code still tiering up) and of the load.
//   peak      VmHWM at the end (the most it ever held).
// Variants run alternately start by start, so the machine's noise hits them alike; ratios are paired.
//
//   taskset -c 1 node bench/src/idle-memory.ts [--starts 6] [--kind bearer|sigv4] [--json FILE] \
//     [--requests 20000] [name=]executable[@ENV=value,ENV=value] ...
// Without variants it measures the shipped executable (sidecar/bin/portcullis-sidecar). `make bench` runs
// it as the `idle` scenario's separate tool; A/B a change by keeping a copy of the old executable:
//   cp sidecar/bin/portcullis-sidecar .cache/bench/sidecar-before && make build
//   taskset -c 1 node bench/src/idle-memory.ts before=.cache/bench/sidecar-before after=sidecar/bin/portcullis-sidecar
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, send, waitForHttp, type HttpSpec } from './lib/http.ts';
import { cpuSecondsOf, memoryOf, sleep, spawnPinned, type Proc } from './lib/procs.ts';
import { median } from './lib/stats.ts';
import { parseVariant, type Variant } from './lib/variants.ts';
import { signDynamo } from './sigv4/sign.ts';
import { sidecarArgs, sidecarCommand, SIDECAR_MAIN, writeSidecarFiles } from './targets/sidecar.ts';
import { AWS_PLACEHOLDER, AWS_REAL, BEARER_KEY, LOAD_CORE, PLACEHOLDER, PROXY_CORE } from './targets/world.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const WARM_REQUESTS = 200;
const PHASES = ['readyMs', 'readyRssMiB', 'warmRssMiB', 'loadRssMiB', 'peakRssMiB', 'warmCpuUs', 'loadCpuUs'] as const;
type Phase = (typeof PHASES)[number];
type Sample = Record<Phase, number>;

async function spec(kind: 'bearer' | 'sigv4', port: number): Promise<HttpSpec> {
  if (kind === 'bearer') return { method: 'GET', url: `http://127.0.0.1:${port}/bytes/1024`, headers: { authorization: `Bearer ${PLACEHOLDER}` } };
  const { headers, body } = await signDynamo(AWS_PLACEHOLDER, port, 'GetItem', new Date());
  return { method: 'POST', url: `http://127.0.0.1:${port}/`, headers, body };
}

/**
 * `total` requests, `concurrency` at a time; every answer must be 200 (the upstream checks the
 * credential). The first failure stops every worker and is thrown once they have all returned, so no
 * request is left failing on its own after the caller stopped the sidecar.
 */
async function drive(kind: 'bearer' | 'sigv4', port: number, total: number, concurrency: number): Promise<void> {
  const s = await spec(kind, port);
  let next = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < total && failure === undefined) {
      next++;
      try {
        const r = await send(s);
        if (r.status !== 200) failure ??= new Error(`proxied request answered ${r.status}: ${r.body.slice(0, 300)}`);
      } catch (err) {
        failure ??= err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== undefined) throw failure;
}

async function measure(v: Variant, kind: 'bearer' | 'sigv4', upstreamPort: number, dir: string, loadRequests: number): Promise<Sample> {
  const port = await freePort();
  writeSidecarFiles(dir, { kind, port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL });
  const [file, args] = sidecarCommand(resolve(v.main), sidecarArgs(dir, v.main).slice(1));
  const t0 = performance.now();
  const proc: Proc = spawnPinned(`sidecar-${v.name}`, file, args, { core: PROXY_CORE, ignoreStdout: true, env: { ...process.env, ...v.env } });
  try {
    const line = await proc.waitForLine((l) => l.includes('portcullis sidecar started'), 15_000);
    const adminPort = (JSON.parse(line) as { adminPort: number }).adminPort;
    await waitForHttp(`http://127.0.0.1:${adminPort}/readyz`, 15_000, proc);
    const readyMs = performance.now() - t0;
    await sleep(1000);
    const readyRssMiB = memoryOf(proc.pid).rssKiB / 1024;
    // CPU time per request of the first requests (still interpreted, tiering up) and of the load after.
    const cpu0 = cpuSecondsOf(proc.pid);
    await drive(kind, port, WARM_REQUESTS, 1);
    const warmCpuUs = ((cpuSecondsOf(proc.pid) - cpu0) * 1e6) / WARM_REQUESTS;
    await sleep(1000);
    const warmRssMiB = memoryOf(proc.pid).rssKiB / 1024;
    const cpu1 = cpuSecondsOf(proc.pid);
    await drive(kind, port, loadRequests, 32);
    const loadCpuUs = ((cpuSecondsOf(proc.pid) - cpu1) * 1e6) / loadRequests;
    await sleep(2000);
    return { readyMs, readyRssMiB, warmRssMiB, loadRssMiB: memoryOf(proc.pid).rssKiB / 1024, peakRssMiB: memoryOf(proc.pid).peakKiB / 1024, warmCpuUs, loadCpuUs };
  } finally {
    await proc.stop();
  }
}

const fmt = (xs: readonly number[]): string => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;

export interface IdleReport {
  readonly kind: 'bearer' | 'sigv4';
  readonly starts: number;
  readonly variants: readonly (Variant & { readonly samples: readonly Sample[]; readonly median: Sample })[];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { starts: { type: 'string', default: '6' }, requests: { type: 'string', default: '20000' }, kind: { type: 'string', default: 'bearer' }, json: { type: 'string' } } });
  const kind = values.kind === 'sigv4' ? 'sigv4' : 'bearer';
  const variants = (positionals.length > 0 ? positionals : [`shipped=${SIDECAR_MAIN}`]).map(parseVariant);
  const starts = Number(values.starts);
  mkdirSync(join(repoRoot, '.cache/bench'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache/bench/idle-'));
  const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: LOAD_CORE });
  const samples: Sample[][] = variants.map(() => []);
  try {
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    for (let s = 0; s < starts; s++) {
      // Rotate the order each start so no variant always runs first (or right after another's load).
      const order = variants.map((_, i) => (i + s) % variants.length);
      for (const i of order) {
        const v = variants[i] as Variant;
        const sample = await measure(v, kind, upstreamPort, join(dir, `${v.name}-${s}`), Number(values.requests));
        samples[i]?.push(sample);
        console.error(`idle ${s + 1}/${starts} ${v.name}: ready ${sample.readyMs.toFixed(0)} ms, RSS ready ${sample.readyRssMiB.toFixed(1)} / warm ${sample.warmRssMiB.toFixed(1)} / load ${sample.loadRssMiB.toFixed(1)} / peak ${sample.peakRssMiB.toFixed(1)} MiB; CPU per request warm-up ${sample.warmCpuUs.toFixed(0)} µs, load ${sample.loadCpuUs.toFixed(0)} µs`);
      }
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const report: IdleReport = {
    kind,
    starts,
    variants: variants.map((v, i) => {
      const list = samples[i] ?? [];
      const med = Object.fromEntries(PHASES.map((p) => [p, median(list.map((x) => x[p]))])) as Sample;
      return { ...v, samples: list, median: med };
    }),
  };
  console.log(`\n${kind}, ${starts} starts each, alternated; median (min–max). RSS in MiB, start to ready in ms, CPU per request in µs:`);
  console.log(`| variant | start→ready | RSS ready+1 s | after warm-up | after load | peak | CPU/request first ${WARM_REQUESTS} | CPU/request load |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  for (const [i, v] of variants.entries()) {
    const list = samples[i] ?? [];
    console.log(`| ${v.name} | ${PHASES.map((p) => fmt(list.map((x) => x[p]))).join(' | ')} |`);
  }
  const base = samples[0] ?? [];
  for (const [i, v] of variants.entries()) {
    if (i === 0) continue;
    const list = samples[i] ?? [];
    const paired = (p: Phase): string => median(list.map((x, k) => x[p] / (base[k]?.[p] ?? NaN))).toFixed(3);
    console.log(`${v.name} ÷ ${variants[0]?.name} (paired medians): ${PHASES.map((p) => `${p} ${paired(p)}`).join(', ')}`);
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
}

await main();
