// What does one admission cost the webhook? Starts one or more builds of it (webhook/dist/main.js by
// default, or a saved copy of an older build: copy webhook/dist and webhook/package.json under .cache/)
// against the shared control plane, each pinned to the proxy core, and runs them in alternating rounds:
// AdmissionReviews for an annotated pod (the body the webhook scenario sends) from 50 concurrent
// keep-alive TLS clients, then one at a time. Per build and round: admissions/s, latency, and the
// webhook's own CPU time per admission (utime + stime from /proc: a slow load generator on the shared
// core cannot hide it). With --cpu-prof the webhooks run under the profiler and their concurrent phases
// are summarized by package, by function (self time) and by our functions including callees.
//
//   taskset -c 1 node bench/src/webhook-profile.ts [--main "path/to/main.js [flags]"]... [--rounds 5]
//     [--seconds 5] [--sequential 1000] [--wrk] [--cpu-prof] [--quiet-wait-seconds 600]
//
// --wrk drives the 50 concurrent connections with wrk rather than Node's https client, which runs out of
// core (shared with the API server and anything else on core 1) at 4–9k admissions/s.
// --quiet-wait-seconds: how long each round waits for quiet cores before it runs anyway (0: never wait;
// the CPU time per admission, read from /proc, stays comparable on a busy machine, latency does not).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import { acquireControlPlane } from './lib/control-plane.ts';
import { cpuSecondsOf, memoryOf } from './lib/procs.ts';
import { summarizeProfile, type CpuProfile } from './lib/profile-summary.ts';
import { waitForQuiet } from './lib/quiet-cores.ts';
import { post, review } from './scenarios/webhook.ts';
import { median, summarize } from './lib/stats.ts';
import { maxThroughput } from './load/wrk.ts';
import { LOAD_CORE, PROXY_CORE } from './targets/world.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const CONCURRENCY = 50;

interface Cluster {
  createNamespace(prefix: string): Promise<string>;
}

interface Webhook {
  readonly label: string;
  readonly pid: number;
  readonly port: number;
  readonly adminPort: number;
  readonly profileDir: string | undefined;
  readonly agent: Agent;
  stop(): Promise<void>;
}

interface Phase {
  readonly requests: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly latencyMs: ReturnType<typeof summarize>;
}

interface Rounds {
  readonly concurrent: Phase[];
  readonly sequential: Phase[];
  readonly windows: { from: number; to: number }[];
  /** VmRSS right after each concurrent phase, MiB. */
  readonly rssMiB: number[];
}

/** Starts one build pinned to the proxy core; its logs are drained as a container runtime reads them. */
async function startWebhook(label: string, main: string, args: readonly string[], profileDir: string | undefined, ca: string): Promise<Webhook> {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn('taskset', ['-c', String(PROXY_CORE), process.execPath, ...prof, main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label}: could not start ${main}`);
  const stderr: string[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let started: { port: number; adminPort: number };
  try {
    started = await new Promise((resolveStart, reject) => {
      let head = '';
      const timer = setTimeout(() => reject(new Error(`${label} did not start in 30 s: ${head.slice(-2000)}${stderr.join('')}`)), 30_000);
      const onData = (c: Buffer): void => {
        head += c.toString('utf8');
        const line = head.split('\n').find((l) => l.includes('"portcullis webhook started"'));
        if (!line) return;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolveStart(JSON.parse(line) as { port: number; adminPort: number });
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${label} exited (${String(code)}): ${head.slice(-2000)}${stderr.join('')}`)));
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  return {
    label,
    pid,
    ...started,
    profileDir,
    agent,
    async stop() {
      agent.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

async function waitReady(w: Webhook): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await fetch(`http://127.0.0.1:${w.adminPort}/readyz`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error(`${w.label} not ready in 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Closed loop: `concurrency` clients send admissions until `until` says stop. */
async function phase(w: Webhook, namespace: string, concurrency: number, until: (started: number, elapsedMs: number) => boolean): Promise<Phase> {
  const latencies: number[] = [];
  const cpu0 = cpuSecondsOf(w.pid);
  const t0 = performance.now();
  let started = 0;
  const worker = async (): Promise<void> => {
    while (!until(started, performance.now() - t0)) {
      started++;
      const r = await post(w.agent, w.port, review(namespace));
      if (r.status !== 200) throw new Error(`${w.label}: admission failed: ${r.status} ${r.text.slice(0, 200)}`);
      latencies.push(r.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return { requests: latencies.length, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSecondsOf(w.pid) - cpu0, latencyMs: summarize(latencies) };
}

/**
 * The same 50-connection closed loop driven by wrk (C, on the load core) instead of Node's https client:
 * the client then never runs out of core before the webhook does. One fixed body (the uid repeats; the
 * webhook does not care). The webhook's CPU is read around the whole wrk run (its start-up included).
 */
async function wrkPhase(w: Webhook, namespace: string, seconds: number): Promise<Phase> {
  const cpu0 = cpuSecondsOf(w.pid);
  const spec = { method: 'POST', url: `https://127.0.0.1:${w.port}/mutate`, headers: { 'content-type': 'application/json' }, body: review(namespace) };
  const r = await maxThroughput(spec, CONCURRENCY, seconds, LOAD_CORE);
  const cpuSeconds = cpuSecondsOf(w.pid) - cpu0;
  if (r.non2xx > 0 || r.socketErrors > 0) throw new Error(`${w.label}: wrk saw ${r.non2xx} non-2xx answers and ${r.socketErrors} socket errors`);
  return { requests: r.requests, seconds: r.requests / r.rps, cpuSeconds, latencyMs: { n: r.requests, ...r.latencyMs } };
}

const perSecond = (p: Phase): number => p.requests / p.seconds;
const cpuMs = (p: Phase): number => (1000 * p.cpuSeconds) / p.requests;

function describeRound(r: number, w: Webhook, c: Phase, s: Phase, rssMiB: number): string {
  return (
    `round ${r} ${w.label}: ${perSecond(c).toFixed(0)} adm/s at ${CONCURRENCY}, p50 ${c.latencyMs.p50.toFixed(2)} p99 ${c.latencyMs.p99.toFixed(2)} ms, ` +
    `RSS ${rssMiB.toFixed(1)} MiB, ` +
    `CPU ${cpuMs(c).toFixed(3)} ms/adm (core ${((100 * c.cpuSeconds) / c.seconds).toFixed(0)} %); ` +
    `one at a time p50 ${s.latencyMs.p50.toFixed(2)} p99 ${s.latencyMs.p99.toFixed(2)} ms, CPU ${cpuMs(s).toFixed(3)} ms/adm`
  );
}

function describeMedians(w: Webhook, res: Rounds): string {
  const m = (list: Phase[], f: (p: Phase) => number): string => median(list.map(f)).toFixed(3);
  const { concurrent: c, sequential: s } = res;
  return (
    `${w.label}: ${m(c, perSecond)} adm/s, p50 ${m(c, (p) => p.latencyMs.p50)} p99 ${m(c, (p) => p.latencyMs.p99)} ms, CPU ${m(c, cpuMs)} ms/adm, ` +
    `RSS ${median(res.rssMiB).toFixed(1)} MiB | ` +
    `one at a time p50 ${m(s, (p) => p.latencyMs.p50)} p99 ${m(s, (p) => p.latencyMs.p99)} ms, CPU ${m(s, cpuMs)} ms/adm`
  );
}

/** Each build against the first, round by round (the rounds ran side by side, so the ratios are paired). */
function describePaired(w: Webhook, res: Rounds, base: Rounds): string {
  const ratio = (list: 'concurrent' | 'sequential', f: (p: Phase) => number): string => {
    const each = res[list].map((p, r) => f(p) / f(base[list][r] as Phase));
    return `${median(each).toFixed(2)}× (rounds ${each.map((x) => x.toFixed(2)).join(' ')})`;
  };
  return (
    `${w.label} vs A, paired: throughput ${ratio('concurrent', perSecond)}; CPU/adm at ${CONCURRENCY} ${ratio('concurrent', cpuMs)}; ` +
    `p99 at ${CONCURRENCY} ${ratio('concurrent', (p) => p.latencyMs.p99)}; one at a time: p50 ${ratio('sequential', (p) => p.latencyMs.p50)}, CPU/adm ${ratio('sequential', cpuMs)}`
  );
}

// ---- main ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      main: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '5' },
      sequential: { type: 'string', default: '1000' },
      'cpu-prof': { type: 'boolean', default: false },
      wrk: { type: 'boolean', default: false },
      'quiet-wait-seconds': { type: 'string', default: '600' },
    },
  });
  // `--main "path/to/main.js --flag value"`: extra flags for that build only.
  const mains = (values.main?.length ? values.main : ['webhook/dist/main.js']).map((m) => m.split(' ').filter(Boolean));
  const log = (line: string): void => console.error(line);
  const dir = join(repoRoot, '.cache/bench/webhook-profile', String(Date.now()));
  mkdirSync(dir, { recursive: true });

  // The control plane stays up afterwards: it is shared, and the next run reuses it. The namespaces stay
  // too, as the e2e tests' do (this control plane has no namespace controller to finish a deletion).
  const cp = await acquireControlPlane(repoRoot, log);
  const cluster = await cp.e2e<Cluster>('support/cluster.js');
  const webhooks: Webhook[] = [];
  try {
    const world = await prepare(cluster, dir);
    for (const [i, [path = '', ...extra]] of mains.entries()) {
      const label = `${String.fromCharCode(65 + i)}:${[path, ...extra].join(' ')}`;
      const args = [
        '--kubeconfig', cp.state.kubeconfig, '--namespace', world.system, '--identity', `profile-${i}`, '--lease-name', `profile-${i}`,
        '--watch-namespaces', world.app, '--sidecar-image', 'registry.example/portcullis-sidecar:bench',
        '--address', '127.0.0.1', '--port', '0', '--admin-address', '127.0.0.1', '--admin-port', '0',
        '--tls-mode', 'files', '--tls-cert-file', join(dir, 'tls.crt'), '--tls-key-file', join(dir, 'tls.key'),
        '--status-controller', 'false', ...extra,
      ];
      const w = await startWebhook(label, resolve(path), args, values['cpu-prof'] ? join(dir, `prof-${i}`) : undefined, world.caPem);
      webhooks.push(w);
      log(`${label}: pid ${w.pid} on core ${PROXY_CORE}, port ${w.port}`);
    }
    const rounds = {
      rounds: Number(values.rounds),
      seconds: Number(values.seconds),
      sequential: Number(values.sequential),
      wrk: values.wrk,
      quietWaitMs: Number(values['quiet-wait-seconds']) * 1000,
    };
    const results = await runRounds(webhooks, world.app, rounds, log);
    console.log('\nmedians over rounds:');
    for (const [i, w] of webhooks.entries()) console.log(describeMedians(w, results[i] as Rounds));
    for (const [i, w] of webhooks.entries()) if (i > 0) console.log(describePaired(w, results[i] as Rounds, results[0] as Rounds));
    for (const w of webhooks) await w.stop();
    for (const [i, w] of webhooks.entries()) if (w.profileDir) console.log(profileReport(w, results[i] as Rounds));
  } finally {
    for (const w of webhooks) await w.stop();
  }
}

/** The webhook's namespace, an app namespace without CredentialSources (as in the scenario), and a serving certificate in `dir`. */
async function prepare(cluster: Cluster, dir: string): Promise<{ system: string; app: string; caPem: string }> {
  const system = await cluster.createNamespace('pcwh-prof-sys');
  const app = await cluster.createNamespace('pcwh-prof-app');
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'webhook-profile-ca', validitySeconds: 86_400, now });
  const leaf = issueCertificate(ca, { commonName: 'webhook-profile', ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 86_400, now });
  writeFileSync(join(dir, 'tls.crt'), leaf.certPem);
  writeFileSync(join(dir, 'tls.key'), leaf.keyPem);
  return { system, app, caPem: ca.certPem };
}

/** Our functions, and pino's and prom-client's, for the including-callees list. */
const ours = (name: string): boolean => /webhook[^ ]*\/dist\//.test(name) || name.includes('npm:pino') || name.includes('npm:prom-client');

function profileReport(w: Webhook, res: Rounds): string {
  const dir = w.profileDir ?? '';
  const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!f) throw new Error(`no .cpuprofile in ${dir}`);
  return `\n== ${w.label}: ${join(dir, f)}\n${summarizeProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, res.windows, 30, ours)}`;
}

interface RoundOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly sequential: number;
  /** Drive the concurrent phase with wrk instead of Node's https client. */
  readonly wrk: boolean;
  /** How long a round waits for quiet cores before it runs anyway. */
  readonly quietWaitMs: number;
}

async function runRounds(webhooks: readonly Webhook[], namespace: string, o: RoundOptions, log: (line: string) => void): Promise<Rounds[]> {
  for (const w of webhooks) {
    await waitReady(w);
    const first = await post(w.agent, w.port, review(namespace));
    const answer = JSON.parse(first.text) as { response?: { allowed?: boolean; patch?: string } };
    if (first.status !== 200 || answer.response?.allowed !== true || !answer.response.patch) throw new Error(`${w.label} answered ${first.status} without a patch: ${first.text.slice(0, 300)}`);
    // Warm-up: every connection of the pool open and the JIT warm.
    await phase(w, namespace, CONCURRENCY, (_n, ms) => ms > 3000);
  }
  const results: Rounds[] = webhooks.map(() => ({ concurrent: [], sequential: [], windows: [], rssMiB: [] }));
  const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
  const concurrent = (w: Webhook): Promise<Phase> =>
    o.wrk ? wrkPhase(w, namespace, o.seconds) : phase(w, namespace, CONCURRENCY, (_n, ms) => ms > o.seconds * 1000);
  for (let r = 1; r <= o.rounds; r++) {
    const order = webhooks.map((_w, i) => i);
    if (r % 2 === 0) order.reverse();
    for (const i of order) {
      const w = webhooks[i] as Webhook;
      const res = results[i] as Rounds;
      // The proxy core nearly idle (our webhooks wait), the load core mostly free; after 10 minutes, go on.
      if (!(await waitForQuiet([0.1, 0.35], o.quietWaitMs, log))) log(`cores still busy after ${o.quietWaitMs / 1000} s: this round is noisy`);
      const from = nowUs();
      const c = await concurrent(w);
      res.windows.push({ from, to: nowUs() });
      const rssMiB = memoryOf(w.pid).rssKiB / 1024;
      res.rssMiB.push(rssMiB);
      const s = await phase(w, namespace, 1, (n) => n >= o.sequential);
      res.concurrent.push(c);
      res.sequential.push(s);
      log(describeRound(r, w, c, s, rssMiB));
    }
  }
  return results;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
