// `make bench` entry point (run by bench/run.sh, pinned to the load core): starts the world, runs every
// scenario in a fixed order, writes bench/results/<date>.json (plots and BENCHMARKS.md are made from it). Loads only ever target
// 127.0.0.1; every loop is bounded by the profile's counts.
//
//   node bench/src/main.ts [--profile quick|full] [--only decision,latency,throughput,sse,streaming,footprint,revocation,webhook]
//
// The peers (aws-sigv4-proxy, iron-proxy) come from ../shared/peers beside the repo, or BENCH_PEERS_DIR.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireControlPlane, type ControlPlane } from './lib/control-plane.ts';
import { destroyAgent } from './lib/http.ts';
import { PROFILES, type Profile } from './profile.ts';
import type { Results } from './report/results.ts';
import { decisionScenario } from './scenarios/decision.ts';
import { footprintScenario } from './scenarios/footprint.ts';
import { latencyScenario } from './scenarios/latency.ts';
import { revocationScenario } from './scenarios/revocation.ts';
import { sseScenario } from './scenarios/sse.ts';
import { streamingScenario } from './scenarios/streaming.ts';
import { throughputScenario, warmup } from './scenarios/throughput.ts';
import { webhookScenario } from './scenarios/webhook.ts';
import { locatePeers, type PeersInfo } from './targets/peers/locate.ts';
import { LOAD_CORE, PROXY_CORE, startWorld, type World } from './targets/world.ts';

const SCENARIOS = ['decision', 'latency', 'throughput', 'sse', 'streaming', 'footprint', 'revocation', 'webhook'] as const;
type Scenario = (typeof SCENARIOS)[number];

const repoRoot = resolve(import.meta.dirname, '../..');
const started = Date.now();
const log = (line: string): void => console.error(`bench [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** The first line a tool prints about its version (nginx -v writes to stderr, wrk --version exits 1). */
function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? 'unknown';
}

/** CPU time stolen by the hypervisor and spent by other processes: the run's noise, recorded with it. */
function cpuTimes(): { steal: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
}

function meta(profile: Profile, peers: PeersInfo): Results['meta'] {
  const git = (args: string[]): string => tool('git', ['-C', repoRoot, ...args]);
  return {
    date: new Date().toISOString(),
    profile: profile.name,
    profileSettings: profile,
    host: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1048576) },
    pinning: { proxyCore: PROXY_CORE, loadCore: LOAD_CORE },
    versions: {
      node: process.version,
      sidecar: `bun ${tool('node_modules/.bin/bun', ['--version'])} executable (sidecar/bin/portcullis-sidecar)`,
      nginx: tool('nginx', ['-v']).replace(/^nginx version: /, ''),
      wrk: tool('wrk', ['--version']).split(' ').slice(0, 2).join(' '),
      vegeta: process.env.BENCH_VEGETA_VERSION ?? 'unknown',
      httpProxy3: (JSON.parse(readFileSync(join(repoRoot, 'node_modules/http-proxy-3/package.json'), 'utf8')) as { version: string }).version,
      ...peers.versions,
    },
    peers: { dir: peers.dir, available: peers.available, ...(peers.reason ? { reason: peers.reason } : {}) },
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'sidecar/src', 'shared/src']) ? ' + uncommitted changes in sidecar/src or shared/src' : ''}`,
    loadBefore: loadavg(),
    loadAfter: [],
    stealPercent: NaN,
    seconds: NaN,
    scenarioLoad: {},
  };
}

type Phase = <T>(name: string, fn: () => Promise<T> | T) => Promise<T>;

/** Revocation and webhook on the real control plane, started last so it adds no noise to the loads. */
async function clusterScenarios(results: Results, world: World, profile: Profile, want: (s: Scenario) => boolean, dir: string, phase: Phase): Promise<void> {
  let cp: ControlPlane | undefined;
  try {
    cp = await acquireControlPlane(repoRoot, log);
    const c = cp;
    if (want('revocation')) results.revocation = await phase('revocation', () => revocationScenario(world, profile, c, join(dir, 'revocation'), log));
    if (want('webhook')) results.webhook = await phase('webhook', () => webhookScenario(profile, c, repoRoot, log));
  } catch (err) {
    log(`control-plane scenarios failed: ${String(err)}`);
    if (want('revocation')) results.revocation ??= { available: false, reason: `failed: ${String(err).slice(0, 400)}` };
    if (want('webhook')) results.webhook ??= { available: false, reason: `not reached: ${String(err).slice(0, 200)}` };
  } finally {
    await cp?.release();
  }
}

async function worldScenarios(results: Results, profile: Profile, want: (s: Scenario) => boolean, dir: string, phase: Phase, peers: PeersInfo): Promise<void> {
  const world = await startWorld(join(dir, 'world'), peers, log);
  try {
    results.variants = world.variants.map((v) => ({ id: v.id, label: v.label, available: v.available, ...(v.reason ? { reason: v.reason } : {}) }));
    await warmup(world, profile, log);
    if (want('latency')) results.latency = await phase('latency', () => latencyScenario(world, profile, log));
    if (want('throughput')) results.throughput = await phase('throughput', () => throughputScenario(world, profile, log));
    if (want('sse')) results.sse = await phase('sse', () => sseScenario(world, profile, log));
    if (want('streaming')) results.streaming = await phase('streaming', () => streamingScenario(world, profile, join(dir, 'streaming'), log));
    if (want('footprint')) results.footprint = await phase('footprint', () => footprintScenario(world, profile, join(dir, 'footprint'), log));
    if (want('revocation') || want('webhook')) await clusterScenarios(results, world, profile, want, dir, phase);
  } finally {
    await world.stop();
  }
}

function resultsFile(results: Results, profile: Profile, only: string | undefined): string {
  const day = results.meta.date.slice(0, 10);
  const suffix = profile.name === 'full' && !only ? '' : `-${profile.name}${only ? `-${only.split(',').join('+')}` : ''}`;
  return join(repoRoot, 'bench/results', `${day}${suffix}.json`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { profile: { type: 'string', default: 'quick' }, only: { type: 'string' } } });
  const profile = PROFILES[values.profile as Profile['name']];
  if (!profile) throw new Error(`--profile must be quick or full, got ${values.profile}`);
  const only = new Set<string>(values.only ? values.only.split(',') : SCENARIOS);
  for (const s of only) if (!SCENARIOS.includes(s as Scenario)) throw new Error(`unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
  const want = (s: Scenario): boolean => only.has(s);

  const peers = locatePeers(resolve(process.env.BENCH_PEERS_DIR ?? join(repoRoot, '../shared/peers')));
  if (!peers.available) log(`peers: ${peers.reason ?? ''}`);
  const results: Results = { meta: meta(profile, peers) };
  const cpu0 = cpuTimes();
  log(`profile ${profile.name}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; proxy core ${PROXY_CORE}, load core ${LOAD_CORE}`);
  mkdirSync(join(repoRoot, '.cache/bench'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache/bench/run-'));
  const phase: Phase = async (name, fn) => {
    const before = loadavg()[0] ?? NaN;
    const t0 = Date.now();
    const out = await fn();
    results.meta.scenarioLoad[name] = { loadBefore: before, loadAfter: loadavg()[0] ?? NaN, seconds: (Date.now() - t0) / 1000 };
    return out;
  };
  try {
    if (want('decision')) results.decision = await phase('decision', () => decisionScenario(profile, log));
    if (SCENARIOS.some((s) => s !== 'decision' && want(s))) await worldScenarios(results, profile, want, dir, phase, peers);
  } finally {
    destroyAgent();
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu1 = cpuTimes();
  results.meta.loadAfter = loadavg();
  results.meta.stealPercent = (100 * (cpu1.steal - cpu0.steal)) / Math.max(1, cpu1.total - cpu0.total);
  results.meta.seconds = (Date.now() - started) / 1000;

  const file = resultsFile(results, profile, values.only);
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${file}`);
  // bench/run.sh reads this line: the plots and BENCHMARKS.md are made from the file.
  process.stdout.write(`${file}\n`);
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
