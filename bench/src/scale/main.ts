// `make scale` entry point (run by bench/scale.sh; never part of `make test` or `make bench`): N
// cluster-mode sidecar processes (the shipped executable) against one local kube-apiserver + etcd, N
// growing step by step (pods are added, never restarted), measuring at each step what the control plane
// pays — TokenReviews, lists and watches per second, open watches, kube-apiserver and etcd CPU and RSS —
// and the revocation latency of a policy edit. A linear fit over the steps is extrapolated to 5,000 pods.
//
//   node bench/src/scale/main.ts [--steps 10,25,50,100,200,250] [--window-seconds 120] [--settle-seconds 20]
//     [--pods-per-namespace 10] [--review-interval-seconds S] [--variant-review-interval-seconds 60]
//     [--revocation-namespaces 5] [--min-free-gib 4] [--parallel 6] [--publish] [--sidecar FILE] [--commit C]
//
// The control plane is the one PORTCULLIS_CACHE / PORTCULLIS_*_PORT select (bench/scale.sh gives the
// bench one of its own). The run stops adding pods before the machine's available memory would fall
// below --min-free-gib. --variant-review-interval-seconds adds one more window at the largest N with every
// sidecar restarted on that interval (off the curve): the difference prices one TokenReview. Without
// --review-interval-seconds the sidecars run on their default interval (900 s ± 10 %, ADR 7), as injected.
import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS } from '@portcullis/shared';
import { acquireControlPlane } from '../lib/control-plane.ts';
import { destroyAgent } from '../lib/http.ts';
import { cpuSecondsOf, memoryOf, sleep, spawnPinned, type Proc } from '../lib/procs.ts';
import { summarize } from '../lib/stats.ts';
import { AWS_REAL, BEARER_KEY } from '../targets/world.ts';
import { apiServerProbe, ratesBetween, type ApiServerProbe, type Reading } from './apiserver.ts';
import { Fleet, type Namespace } from './fleet.ts';
import { LONGEST_RUN_S, curves, plannedRunSeconds, summary, type ScaleResult, type Step } from './report.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const started = Date.now();
const log = (line: string): void => console.error(`scale [${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
const GiB = 1024 ** 3;

interface Options {
  readonly steps: readonly number[];
  readonly windowS: number;
  readonly settleS: number;
  readonly podsPerNamespace: number;
  /** undefined: the sidecar's default (the flag is not passed). */
  readonly reviewIntervalS: number | undefined;
  readonly variantReviewIntervalS: number | undefined;
  readonly revocationNamespaces: number;
  readonly minFreeGiB: number;
  readonly parallel: number;
  readonly publish: boolean;
  readonly sidecar: string;
  readonly commit: string;
}

function options(): Options {
  const { values: v } = parseArgs({
    options: {
      steps: { type: 'string', default: '10,25,50,100,200,250' },
      'window-seconds': { type: 'string', default: '120' },
      'settle-seconds': { type: 'string', default: '20' },
      'pods-per-namespace': { type: 'string', default: '10' },
      'review-interval-seconds': { type: 'string' },
      'variant-review-interval-seconds': { type: 'string' },
      'revocation-namespaces': { type: 'string', default: '5' },
      'min-free-gib': { type: 'string', default: '4' },
      parallel: { type: 'string', default: '6' },
      publish: { type: 'boolean', default: false },
      sidecar: { type: 'string', default: 'sidecar/bin/portcullis-sidecar' },
      commit: { type: 'string', default: '' },
    },
  });
  const num = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${raw}`);
    return n;
  };
  const steps = (v.steps ?? '').split(',').map((s) => num('steps', s, 1));
  if (steps.some((s, i) => i > 0 && s <= (steps[i - 1] as number))) throw new Error(`--steps must increase, got ${v.steps}`);
  const windowS = num('window-seconds', v['window-seconds'], 10);
  const settleS = num('settle-seconds', v['settle-seconds'], 0);
  const planned = plannedRunSeconds({ steps: steps.length, variant: v['variant-review-interval-seconds'] !== undefined, settleS, windowS });
  if (planned > LONGEST_RUN_S) {
    throw new Error(`the run would take ${planned} s, longer than the pods' identity tokens last (${LONGEST_RUN_S} s usable; nothing rotates them here): use fewer steps, a shorter window or no variant`);
  }
  return {
    steps,
    windowS,
    settleS,
    podsPerNamespace: num('pods-per-namespace', v['pods-per-namespace'], 1),
    reviewIntervalS: v['review-interval-seconds'] === undefined ? undefined : num('review-interval-seconds', v['review-interval-seconds'], 1),
    variantReviewIntervalS: v['variant-review-interval-seconds'] === undefined ? undefined : num('variant-review-interval-seconds', v['variant-review-interval-seconds'], 1),
    revocationNamespaces: num('revocation-namespaces', v['revocation-namespaces'], 1),
    minFreeGiB: num('min-free-gib', v['min-free-gib'], 0),
    parallel: num('parallel', v.parallel, 1),
    publish: v.publish ?? false,
    sidecar: v.sidecar ?? 'sidecar/bin/portcullis-sidecar',
    commit: v.commit ?? '',
  };
}

/**
 * Proportional set size, MiB: private pages plus a share of the shared ones. N copies of the same
 * executable share its ~48 MiB of clean pages (as containers of one image on a node do), so RSS (~65 MiB)
 * overstates what each further sidecar costs the machine; PSS does not.
 */
function pssMiB(pid: number): number {
  return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;
}

function memAvailableGiB(): number {
  const kib = Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN);
  return (kib * 1024) / GiB;
}

/** Polls one pod until it answers `want`; the time since `t0`, ms. */
async function untilStatus(fleet: Fleet, pod: Fleet['pods'][number], want: number, t0: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const status = await fleet.probe(pod);
    const elapsed = performance.now() - t0;
    if (status === want) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`${pod.namespace}/${pod.name}: no ${want} within ${timeoutMs} ms (last ${status})`);
    await sleep(2);
  }
}

/** Edits `count` namespaces' bench policy one at a time; every pod of each is timed to its first 403, then back to 200. */
async function revocations(fleet: Fleet, namespaces: readonly Namespace[]): Promise<Pick<Step, 'revokeMs' | 'grantMs' | 'apiCallMs'>> {
  const revoke: number[] = [];
  const grant: number[] = [];
  const api: number[] = [];
  for (const ns of namespaces) {
    const pods = fleet.podsOf(ns);
    for (const [allow, want, into] of [[false, 403, revoke], [true, 200, grant]] as const) {
      const t0 = performance.now();
      await fleet.setBench(ns, allow);
      api.push(performance.now() - t0);
      into.push(...(await Promise.all(pods.map((p) => untilStatus(fleet, p, want, t0, 30_000)))));
    }
    log(`  revocation in ${ns.name} (${pods.length} pods): deny after max ${Math.max(...revoke.slice(-pods.length)).toFixed(1)} ms, allow again after max ${Math.max(...grant.slice(-pods.length)).toFixed(1)} ms`);
  }
  return { revokeMs: summarize(revoke), grantMs: summarize(grant), apiCallMs: summarize(api) };
}

/** Settles, then measures one window and the revocations. */
async function measure(fleet: Fleet, probe: ApiServerProbe, o: Options, step: { pods: number; reviewIntervalS: number; startSeconds: number; variant?: string; revokeFrom: number }): Promise<Step> {
  const notServing = (await Promise.all(fleet.pods.map((p) => fleet.probe(p, 5000)))).filter((s) => s !== 200).length;
  if (notServing > 0) log(`  ${notServing} pods did not answer 200 after start-up`);
  log(`  settling ${o.settleS} s, then measuring ${o.windowS} s`);
  await sleep(o.settleS * 1000);
  const pids = fleet.pods.flatMap((p) => (p.proc ? [p.proc.pid] : []));
  const sidecarCpu = (): number => pids.reduce((a, pid) => a + cpuSecondsOf(pid), 0);
  const rss: { api: number[]; etcd: number[] } = { api: [], etcd: [] };
  const a: Reading = await probe.read();
  const cpuA = sidecarCpu();
  const tEnd = performance.now() + o.windowS * 1000;
  let b: Reading = a;
  while (performance.now() < tEnd) {
    await sleep(Math.min(10_000, Math.max(0, tEnd - performance.now())));
    b = await probe.read();
    rss.api.push(b.apiserverRssKiB / 1024);
    rss.etcd.push(b.etcdRssKiB / 1024);
  }
  const cpuB = sidecarCpu();
  const rates = ratesBetween(a, b);
  const sidecarRss = pids.map((pid) => memoryOf(pid).rssKiB / 1024);
  const sidecarPss = pids.map(pssMiB);
  const mean = (xs: readonly number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length;
  const ns = fleet.namespaces.filter((n) => fleet.podsOf(n).length > 0);
  const picked = Array.from({ length: Math.min(o.revocationNamespaces, ns.length) }, (_, k) => ns[(step.revokeFrom + k) % ns.length] as Namespace);
  const rev = await revocations(fleet, picked);
  const result: Step = {
    ...(step.variant ? { variant: step.variant } : {}),
    pods: step.pods,
    namespaces: ns.length,
    reviewIntervalS: step.reviewIntervalS,
    startSeconds: step.startSeconds,
    notServing,
    rates,
    watchesOpen: b.watchesOpen,
    apiserverRssMiB: mean(rss.api),
    etcdRssMiB: mean(rss.etcd),
    sidecarRssMiB: mean(sidecarRss),
    sidecarPssMiB: mean(sidecarPss),
    sidecarCores: (cpuB - cpuA) / rates.seconds,
    memAvailableGiB: memAvailableGiB(),
    loadAverage: loadavg(),
    ...rev,
  };
  log(`  N=${result.pods}: ${rates.tokenReviewsPerS.toFixed(2)} TokenReviews/s, ${result.watchesOpen} watches, ${rates.requestsPerS.toFixed(1)} requests/s, kube-apiserver ${(rates.apiserverCores * 1000).toFixed(0)} mcores / ${result.apiserverRssMiB.toFixed(0)} MiB, etcd ${(rates.etcdCores * 1000).toFixed(0)} mcores, revocation p99 ${rev.revokeMs.p99.toFixed(0)} ms; ${result.memAvailableGiB.toFixed(1)} GiB available`);
  return result;
}

async function run(o: Options, dir: string): Promise<ScaleResult> {
  const cp = await acquireControlPlane(repoRoot, log);
  const procs: Proc[] = [];
  let fleet: Fleet | undefined;
  try {
    const state = cp.state as typeof cp.state & { processes: { name: string; pid: number }[] };
    const pid = (name: string): number => {
      const p = state.processes.find((x) => x.name === name);
      if (!p) throw new Error(`no ${name} process recorded for the control plane`);
      return p.pid;
    };
    const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: undefined });
    procs.push(upstream);
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    const cluster = await cp.e2e<{ kubeConfig(): KubeConfig }>('support/cluster.js');
    const probe = apiServerProbe(cluster.kubeConfig(), { apiserver: pid('kube-apiserver'), etcd: pid('etcd') });
    fleet = await Fleet.create(cp, { sidecar: o.sidecar, podsPerNamespace: o.podsPerNamespace, basePort: 21000, upstreamPort, reviewIntervalS: o.reviewIntervalS, dir, log });
    const steps: Step[] = [];
    let stoppedEarly: string | undefined;
    for (const [k, n] of o.steps.entries()) {
      // PSS plus a margin for the API server's growth per pod (~0.5 MiB measured) and the bench's sockets.
      const perSidecarGiB = steps.length ? ((steps.at(-1) as Step).sidecarPssMiB * 1.3 + 2) / 1024 : 70 / 1024;
      const after = memAvailableGiB() - (n - fleet.pods.length) * perSidecarGiB;
      if (after < o.minFreeGiB) {
        stoppedEarly = `${n} pods would leave about ${after.toFixed(1)} GiB available (< ${o.minFreeGiB} GiB)`;
        log(`stopping: ${stoppedEarly}`);
        break;
      }
      log(`step N=${n}: starting ${n - fleet.pods.length} more sidecars (${o.parallel} at a time)`);
      const t0 = performance.now();
      await fleet.growTo(n, o.parallel);
      const startSeconds = (performance.now() - t0) / 1000;
      log(`  ${n} sidecars serving (${startSeconds.toFixed(0)} s to start the new ones)`);
      steps.push(await measure(fleet, probe, o, { pods: n, reviewIntervalS: o.reviewIntervalS ?? SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS, startSeconds, revokeFrom: k * o.revocationNamespaces }));
    }
    if (o.variantReviewIntervalS !== undefined && steps.length > 0) {
      const n = fleet.pods.length;
      log(`variant: restarting all ${n} sidecars with --identity-review-interval-seconds ${o.variantReviewIntervalS}`);
      const t0 = performance.now();
      await fleet.restartAll(o.variantReviewIntervalS, o.parallel);
      steps.push(await measure(fleet, probe, o, { pods: n, reviewIntervalS: o.variantReviewIntervalS, startSeconds: (performance.now() - t0) / 1000, variant: `review every ${o.variantReviewIntervalS} s`, revokeFrom: 0 }));
    }
    const c = cpus();
    return {
      date: new Date().toISOString(),
      commit: o.commit,
      sidecar: o.sidecar,
      kubernetes: cp.state.version,
      machine: { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / GiB) },
      podsPerNamespace: o.podsPerNamespace,
      windowSeconds: o.windowS,
      ...(stoppedEarly ? { stoppedEarly } : {}),
      steps,
      curves: curves(steps),
    };
  } finally {
    log('stopping the sidecars');
    await fleet?.stop();
    for (const p of procs.reverse()) await p.stop();
    await cp.release();
  }
}

async function main(): Promise<void> {
  const o = options();
  mkdirSync(join(repoRoot, '.cache/bench'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache/bench/scale-'));
  let result: ScaleResult;
  try {
    result = await run(o, dir);
  } finally {
    destroyAgent();
    rmSync(dir, { recursive: true, force: true });
  }
  const day = result.date.slice(0, 10);
  // Named by the curve's review interval too, so a run on another cadence the same day keeps the earlier one.
  const interval = result.steps.find((s) => s.variant === undefined)?.reviewIntervalS ?? 0;
  const file = o.publish ? join(repoRoot, 'bench/results', `scale-${day}-review-${interval}s.json`) : join(repoRoot, '.cache/bench', `scale-${day}-${result.steps.at(-1)?.pods ?? 0}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '.md'), `${summary(result)}\n`);
  log(`wrote ${file} and ${file.replace(/\.json$/, '.md')}`);
  process.stdout.write(`${summary(result)}\n`);
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
