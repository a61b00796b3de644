// Webhook admission latency at 50 concurrent requests: the webhook process as the e2e tests start it
// (e2e/dist/webhook/world.js: its own namespaces, a MutatingWebhookConfiguration, the caBundle it
// publishes), then AdmissionReviews for an annotated pod POSTed straight to /mutate over keep-alive TLS —
// the webhook's share of a pod creation, as the API server sees it. Three views:
// - 50 always in flight (closed loop), driven by wrk on the load core: Node's https client tops out
//   below the webhook on this machine (ANALYSIS 13), so it would measure itself;
// - a fixed rate with vegeta (open loop, no coordinated omission): pods arriving on a schedule;
// - one at a time with Node's client, after checking the answer carries the injection patch.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from '../lib/control-plane.ts';
import type { HttpSpec } from '../lib/http.ts';
import { summarize } from '../lib/stats.ts';
import { fixedRate } from '../load/vegeta.ts';
import { maxThroughput, type ThroughputResult } from '../load/wrk.ts';
import type { Profile } from '../profile.ts';
import { LOAD_CORE, PROXY_CORE } from '../targets/world.ts';

export interface WebhookResult {
  readonly available: boolean;
  readonly reason?: string;
  readonly concurrency?: number;
  /** The closed-loop client: wrk (C). Earlier runs used Node's https client, which saturated first. */
  readonly client?: 'wrk';
  readonly requests?: number;
  /** 50 requests always in flight (closed loop, wrk): includes the wait behind the others. */
  readonly latencyMs?: Latency;
  readonly requestsPerSecond?: number;
  /** Admissions arriving at a fixed rate (open loop, vegeta). */
  readonly fixedRate?: { readonly rate: number; readonly achievedRate: number; readonly requests: number; readonly latencyMs: Latency };
  /** One request at a time: the cost of one admission without queueing. */
  readonly sequentialMs?: Latency;
}

/** Milliseconds, in the shape wrk's and vegeta's results share. */
type Latency = ThroughputResult['latencyMs'];

interface WebhookWorld {
  readonly namespaces: readonly string[];
  readonly configName: string;
  readonly webhook: { readonly port: number };
  cleanup(): Promise<void>;
}

const CONCURRENCY = 50;
/** Pod creations per second for the open-loop view: far above what a cluster's controllers create. */
const FIXED_RATE = 1000;

/** An AdmissionReview for a new pod that asks for injection (also sent by webhook-profile.ts). */
export function review(namespace: string): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:bench:deployer' },
      dryRun: false,
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'agent-', namespace, labels: { app: 'agent' }, annotations: { 'portcullis.dev/inject': 'true' } },
        spec: { serviceAccountName: 'default', containers: [{ name: 'app', image: 'registry.example/app:1', env: [{ name: 'A', value: 'b' }] }] },
      },
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}

export function post(agent: Agent, port: number, body: string): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mutate', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8'), ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The pid listening on a loopback port (the e2e helper does not expose it), to pin it to the proxy core. */
function pidOnPort(port: number): number | undefined {
  const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

export async function webhookScenario(profile: Profile, cp: ControlPlane, repoRoot: string, log: (line: string) => void): Promise<WebhookResult> {
  if (!existsSync(join(repoRoot, 'webhook/dist/main.js')) || !existsSync(join(repoRoot, 'e2e/dist/webhook/world.js'))) {
    return { available: false, reason: 'webhook/dist/main.js or e2e/dist/webhook/world.js is not built yet (the webhook is in progress)' };
  }
  let world: WebhookWorld;
  try {
    world = await (await cp.e2e<{ startWorld(o?: object): Promise<WebhookWorld> }>('webhook/world.js')).startWorld();
  } catch (err) {
    return { available: false, reason: `the webhook did not start the way its e2e tests start it: ${String(err).slice(0, 300)}` };
  }
  try {
    const pid = pidOnPort(world.webhook.port);
    // -a: every thread of it. `taskset -p` alone moves the main thread only; V8's GC and compiler threads
    // and libuv's pool then kept running on the load core beside wrk, and the webhook had more than one core.
    if (pid !== undefined) execFileSync('taskset', ['-a', '-pc', String(PROXY_CORE), String(pid)], { stdio: 'ignore' });
    const { kubeConfig } = await cp.e2e<{ readonly kubeConfig: () => KubeConfig }>('support/cluster.js');
    const config = await kubeConfig().makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: world.configName });
    const ca = Buffer.from(config.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    const namespace = world.namespaces[0] ?? 'default';
    const first = await post(agent, world.webhook.port, review(namespace));
    const answer = JSON.parse(first.text) as { response?: { allowed?: boolean; patch?: string } };
    if (first.status !== 200 || answer.response?.allowed !== true || !answer.response.patch) {
      return { available: false, reason: `the webhook answered ${first.status} without an injection patch: ${first.text.slice(0, 300)}` };
    }
    const spec: HttpSpec = { method: 'POST', url: `https://127.0.0.1:${world.webhook.port}/mutate`, headers: { 'content-type': 'application/json' }, body: review(namespace) };
    // Warm-up at full concurrency: 50 TLS connections and a JIT-warm webhook, as the API server's own
    // keep-alive connections would find it.
    await closedLoop(spec, profile.warmupSeconds);
    const loop = await closedLoop(spec, profile.webhookSeconds);
    const open = await openLoop(spec, ca, profile.webhookSeconds);
    const sequential: number[] = [];
    for (let i = 0; i < profile.webhookSequential; i++) {
      const r = await post(agent, world.webhook.port, review(namespace));
      if (r.status !== 200) throw new Error(`admission failed: ${r.status} ${r.text.slice(0, 200)}`);
      sequential.push(r.ms);
    }
    agent.destroy();
    const sequentialMs = summarize(sequential);
    log(
      `webhook: ${loop.requests} admissions at ${CONCURRENCY} concurrent (wrk), ${loop.rps.toFixed(0)}/s, p50 ${loop.latencyMs.p50.toFixed(2)} p99 ${loop.latencyMs.p99.toFixed(2)} ms; ` +
        `${FIXED_RATE}/s p50 ${open.latencyMs.p50.toFixed(2)} p99 ${open.latencyMs.p99.toFixed(2)} ms; one at a time p50 ${sequentialMs.p50.toFixed(2)} p99 ${sequentialMs.p99.toFixed(2)} ms`,
    );
    return { available: true, concurrency: CONCURRENCY, client: 'wrk', requests: loop.requests, latencyMs: loop.latencyMs, requestsPerSecond: loop.rps, fixedRate: open, sequentialMs };
  } finally {
    await world.cleanup();
  }
}

/** 50 connections, each sending its next admission when the previous answer is in (wrk on the load core). */
async function closedLoop(spec: HttpSpec, seconds: number): Promise<ThroughputResult> {
  const r = await maxThroughput(spec, CONCURRENCY, seconds, LOAD_CORE);
  if (r.non2xx > 0 || r.socketErrors > 0 || r.requests === 0) throw new Error(`wrk saw ${r.non2xx} non-2xx answers and ${r.socketErrors} socket errors in ${r.requests} admissions`);
  return r;
}

/** Admissions at FIXED_RATE per second on a schedule (vegeta, verifying the webhook's certificate). */
async function openLoop(spec: HttpSpec, ca: string, seconds: number): Promise<NonNullable<WebhookResult['fixedRate']>> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-webhook-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca);
    const r = await fixedRate(spec, FIXED_RATE, seconds, LOAD_CORE, { rootCerts: join(dir, 'ca.pem') });
    if (r.success < 1) throw new Error(`vegeta: ${((1 - r.success) * 100).toFixed(1)} % of admissions failed at ${FIXED_RATE}/s (${JSON.stringify(r.statusCodes)}; ${r.errors.join('; ')})`);
    return { rate: FIXED_RATE, achievedRate: r.achievedRate, requests: r.requests, latencyMs: { p50: r.p50, p90: r.p90, p99: r.p99, max: r.max, mean: r.mean } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
