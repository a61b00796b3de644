// `make bench-limits` (never part of `make test`): what limits add to a request's hot path — the limit
// check before forwarding plus the settle after it (admitCall + finishCall, the sidecar's own code) —
// per call, in memory (Pod scope) and in a real Redis (ServiceAccount scope: one Lua round trip per
// acquire / take / reserve / settle / release). A redis-server is started on loopback for the run.
//
//   node bench/src/limits/main.ts [--calls 20000] [--redis-calls 5000] [--concurrency 32]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { admitCall, compileLimits, finishCall, MemoryLimitStore, type CallFacts, type EgressPolicyLimit, type LimitStores, type Valid, type EgressPolicy } from '@portcullis/shared';
import { RedisLimitStore } from '@portcullis/sidecar';
import { percentile } from '../lib/stats.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const WORKLOAD = { namespace: 'bench', serviceAccount: 'agent', podName: 'agent-0', podUID: 'uid-0', labels: {} };

function limits(list: EgressPolicyLimit[]): ReturnType<typeof compileLimits> {
  const policy = {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name: 'agent', namespace: 'bench' },
    spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ effect: 'Allow', source: '*' }], limits: list },
  } as Valid<EgressPolicy>;
  return compileLimits([policy], WORKLOAD);
}

// Generous limits: every call passes, so the cost measured is the check, not a refusal.
const BIG = 1_000_000_000;
const CASES: { name: string; description: string; shared: boolean; limits: EgressPolicyLimit[] }[] = [
  { name: 'none', description: 'no limit applies to the source', shared: false, limits: [] },
  { name: 'pod-rate', description: 'Pod scope: a token bucket', shared: false, limits: [{ name: 'r', requests: { count: BIG } }] },
  { name: 'pod-all', description: 'Pod scope: bucket + in-flight + token budget (reserve, settle)', shared: false, limits: [{ name: 'a', requests: { count: BIG }, inFlight: 100_000, budget: { window: 'Run', tokens: BIG * 1000 } }] },
  { name: 'redis-budget', description: 'ServiceAccount scope in Redis: a token budget (reserve + settle: 2 round trips)', shared: true, limits: [{ name: 'b', scope: 'ServiceAccount', budget: { window: 'Day', tokens: BIG * 1000 } }] },
  { name: 'redis-all', description: 'ServiceAccount scope in Redis: bucket + in-flight + budget (5 round trips)', shared: true, limits: [{ name: 'a', scope: 'ServiceAccount', requests: { count: BIG }, inFlight: 100_000, budget: { window: 'Day', tokens: BIG * 1000 } }] },
];

interface Row {
  readonly name: string;
  readonly description: string;
  readonly calls: number;
  readonly concurrency: number;
  /** The check before forwarding alone (admitCall): what a request waits for. */
  readonly checkP50Us: number;
  readonly checkP99Us: number;
  /** Check + settle (finishCall, after the response): the store work per call. */
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly callsPerSecond: number;
}

let seq = 0;
const facts = (): CallFacts => ({ source: 'openai', requestId: `r${++seq}`, nowMs: Date.now(), model: 'gpt-4o-mini', inputBytes: 400, maxOutputTokens: 256 });

async function run(c: (typeof CASES)[number], stores: LimitStores, calls: number, concurrency: number): Promise<Row> {
  const compiled = limits(c.limits);
  const times = new Float64Array(calls);
  const checks = new Float64Array(calls);
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const i = next++;
      const f = facts();
      const t0 = process.hrtime.bigint();
      const admitted = await admitCall(compiled, f, stores);
      checks[i] = Number(process.hrtime.bigint() - t0) / 1000;
      if (!admitted.ok) throw new Error(`${c.name}: refused: ${admitted.refusal.message}`);
      await finishCall(admitted.grant, f.requestId, { model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 200 }, 'none', compiled.prices);
      times[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = [...times].sort((a, b) => a - b);
  const sortedChecks = [...checks].sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return { name: c.name, description: c.description, calls, concurrency, checkP50Us: round(percentile(sortedChecks, 50)), checkP99Us: round(percentile(sortedChecks, 99)), p50Us: round(percentile(sorted, 50)), p99Us: round(percentile(sorted, 99)), maxUs: round(sorted.at(-1) ?? NaN), callsPerSecond: Math.round(calls / seconds) };
}

async function startRedis(): Promise<{ port: number; stop: () => Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 30_000 + Math.floor(Math.random() * 30_000);
    const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const ready = await new Promise<boolean>((resolveReady) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolveReady(true);
      });
      child.once('exit', () => resolveReady(false));
    });
    if (ready) return { port, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
    if (!out.includes('Address already in use')) throw new Error(`redis-server failed:\n${out}`);
  }
  throw new Error('no free port for redis-server');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000' }, 'redis-calls': { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '32' } } });
  const calls = Number(values.calls);
  const redisCalls = Number(values['redis-calls']);
  const concurrency = Number(values.concurrency);
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const redis = await startRedis();
  const shared = new RedisLimitStore({ host: '127.0.0.1', port: redis.port, tls: false, commandTimeoutMs: 2000 });
  await new Promise<void>((r) => shared.on('ready', () => r()));
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      const fresh = (): LimitStores => ({ memory: new MemoryLimitStore(), shared, leaseMs: 600_000 });
      const n = c.shared ? redisCalls : calls;
      await run(c, fresh(), Math.min(1000, n), 1); // warm-up (JIT, script cache)
      rows.push(await run(c, fresh(), n, 1));
      rows.push(await run(c, fresh(), n, concurrency));
    }
  } finally {
    await shared.close();
    await redis.stop();
  }
  const lines = ['| case | what | in flight | calls | check p50 (µs) | check p99 | check + settle p50 | p99 | max | calls/s |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.description} | ${r.concurrency} | ${r.calls} | ${r.checkP50Us} | ${r.checkP99Us} | ${r.p50Us} | ${r.p99Us} | ${r.maxUs} | ${r.callsPerSecond} |`);
  const table = lines.join('\n');
  console.log(table);
  const date = new Date().toISOString().slice(0, 10);
  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const runtime = `node ${process.versions.node}`;
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  writeFileSync(join(dir, `limits-${date}.json`), `${JSON.stringify({ date, runtime, loadavg: { before: loadBefore, after: load }, redis: 'redis-server (Debian) on loopback', rows }, null, 2)}\n`);
  writeFileSync(join(dir, `limits-${date}.md`), `${table}\n`);
  console.error(`bench-limits: wrote bench/results/limits-${date}.json and .md (${runtime})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
