// Webhook admission latency at 50 concurrent requests: the webhook process as the e2e tests start it
// (e2e/dist/webhook/world.js: its own namespaces, a MutatingWebhookConfiguration, the caBundle it
// publishes), then AdmissionReviews for an annotated pod POSTed straight to /mutate over keep-alive TLS by
// 50 concurrent clients — the webhook's share of a pod creation, as the API server sees it.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from '../lib/control-plane.ts';
import { summarize } from '../lib/stats.ts';
import type { Profile } from '../profile.ts';
import { PROXY_CORE } from '../targets/world.ts';

export interface WebhookResult {
  readonly available: boolean;
  readonly reason?: string;
  readonly concurrency?: number;
  readonly requests?: number;
  /** 50 requests always in flight (closed loop): includes the wait behind the others. */
  readonly latencyMs?: ReturnType<typeof summarize>;
  readonly requestsPerSecond?: number;
  /** One request at a time: the cost of one admission without queueing. */
  readonly sequentialMs?: ReturnType<typeof summarize>;
}

interface WebhookWorld {
  readonly namespaces: readonly string[];
  readonly configName: string;
  readonly webhook: { readonly port: number };
  cleanup(): Promise<void>;
}

const CONCURRENCY = 50;

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
    if (pid !== undefined) execFileSync('taskset', ['-pc', String(PROXY_CORE), String(pid)], { stdio: 'ignore' });
    const { kubeConfig } = await cp.e2e<{ readonly kubeConfig: () => KubeConfig }>('support/cluster.js');
    const config = await kubeConfig().makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: world.configName });
    const ca = Buffer.from(config.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
    const namespace = world.namespaces[0] ?? 'default';
    const first = await post(agent, world.webhook.port, review(namespace));
    const answer = JSON.parse(first.text) as { response?: { allowed?: boolean; patch?: string } };
    if (first.status !== 200 || answer.response?.allowed !== true || !answer.response.patch) {
      return { available: false, reason: `the webhook answered ${first.status} without an injection patch: ${first.text.slice(0, 300)}` };
    }
    const latencies: number[] = [];
    let next = 0;
    const worker = async (count: number, into: number[] | undefined): Promise<void> => {
      while (next++ < count) {
        const r = await post(agent, world.webhook.port, review(namespace));
        if (r.status !== 200) throw new Error(`admission failed: ${r.status} ${r.text.slice(0, 200)}`);
        into?.push(r.ms);
      }
    };
    // Warm-up at full concurrency: 50 TLS connections in the pool and a JIT-warm webhook, as the API
    // server's own keep-alive connections would find it.
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(Math.max(500, profile.webhookRequests / 5), undefined)));
    next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(profile.webhookRequests, latencies)));
    const seconds = (performance.now() - t0) / 1000;
    const sequential: number[] = [];
    next = 0;
    await worker(Math.min(2000, profile.webhookRequests), sequential);
    agent.destroy();
    const latencyMs = summarize(latencies);
    const sequentialMs = summarize(sequential);
    log(`webhook: ${latencies.length} admissions at ${CONCURRENCY} concurrent, p50 ${latencyMs.p50.toFixed(2)} p99 ${latencyMs.p99.toFixed(2)} ms; one at a time p50 ${sequentialMs.p50.toFixed(2)} p99 ${sequentialMs.p99.toFixed(2)} ms`);
    return { available: true, concurrency: CONCURRENCY, requests: latencies.length, latencyMs, requestsPerSecond: latencies.length / seconds, sequentialMs };
  } finally {
    await world.cleanup();
  }
}
