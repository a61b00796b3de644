// `make demo`: the whole Portcullis flow on a local control plane, narrated step by step.
// The only place in the demo that reads env and signals.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import OpenAI from 'openai';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar';
import { stopControlPlane } from '../cluster/control-plane.js';
import { startLocalControlPlane } from '../cluster/start.js';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { createPod, requestPodBoundToken } from '../support/workloads.js';
import { denied, detail, heading, note, ok } from './print.js';
import { GROUP, chatOnlyPolicy, createWorld, writeVolumeFile } from './world.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const REAL_KEY = 'sk-demo-real-key-that-the-app-never-sees';

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      note(`cleanup: ${(err as Error).message}`);
    }
  }
  cleanups.length = 0;
}

function fakeOpenAI(): Promise<Upstream> {
  return startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${REAL_KEY}`, (req, res) => {
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      json(res, 200, {
        id: 'chatcmpl-demo', object: 'chat.completion', created: 0, model: 'gpt-demo',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello from behind the portcullis.' } }],
      });
    } else {
      json(res, 200, { object: 'list', data: [{ id: 'gpt-demo', object: 'model' }] });
    }
  });
}

interface Cluster {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly issuer: string;
}

async function controlPlane(): Promise<Cluster> {
  heading('Local control plane: kube-apiserver + etcd built from the Go module proxy');
  const { config, binDir, state, reused } = await startLocalControlPlane(process.env, repoRoot, (l) => note(l));
  // The e2e support helpers (pods, tokens, RBAC) find the cluster through this variable.
  process.env.PORTCULLIS_E2E_CLUSTER_DIR = config.clusterDir;
  if (!reused && !config.keep) cleanups.push(() => stopControlPlane(config.clusterDir));
  ok(`${state.version} at ${state.server}${reused ? ' (already running)' : ''}`);
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);

  heading('Install the CRDs: CredentialSource and EgressPolicy');
  const { execFileSync } = await import('node:child_process');
  execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, 'apply', '--server-side', '-f', join(repoRoot, 'crds')], { stdio: 'pipe' });
  execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, 'wait', '--for=condition=Established', '-f', join(repoRoot, 'crds')], { stdio: 'pipe' });
  ok('crds/ applied and Established');
  return { kc, server: state.server, issuer: state.serviceAccountIssuer };
}

async function main(): Promise<void> {
  const { kc, server, issuer } = await controlPlane();

  heading('A namespace with an OpenAI-style CredentialSource and a chat-only EgressPolicy');
  const upstream = await fakeOpenAI();
  cleanups.push(() => upstream.close());
  note(`api.openai.com is played by a local HTTPS server (${upstream.url}) that accepts only the real key`);
  const namespace = `portcullis-demo-${process.pid}`;
  const port = 18080 + (process.pid % 1000);
  const world = await createWorld(kc, namespace, port, upstream);
  cleanups.push(async () => void (await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace })));
  detail(`CredentialSource openai: preset openai, port ${port}, key from Secret openai-api-key`);
  detail('EgressPolicy agent-chat-only: service account agent may POST /v1/chat/completions, nothing else');

  heading('The agent pod and its sidecar, run locally with the pod\'s own bound tokens');
  const pod = await createPod(namespace, world.podName, { serviceAccount: 'agent', annotations: { 'portcullis.dev/inject': 'true' } });
  const volumes = mkdtempSync(join(tmpdir(), 'portcullis-demo-'));
  cleanups.push(() => rmSync(volumes, { recursive: true, force: true }));
  writeVolumeFile(volumes, 'identity/token', await requestPodBoundToken(pod, ['portcullis'], 3600));
  writeVolumeFile(volumes, 'api/token', await requestPodBoundToken(pod, [issuer], 3600));
  writeVolumeFile(volumes, 'api/ca.crt', Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString());
  writeVolumeFile(volumes, 'sources/openai/api-key', `${REAL_KEY}\n`);
  note('pod-bound tokens (audiences portcullis and the API server) and the Secret file, as the webhook mounts them');
  const sidecar: SidecarProcess = await startSidecarProcess([
    '--namespace', namespace, '--api-server', server, '--api-token-file', join(volumes, 'api/token'), '--api-ca-file', join(volumes, 'api/ca.crt'),
    '--identity-token-file', join(volumes, 'identity/token'), '--secrets-dir', join(volumes, 'sources'),
    '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1',
  ]);
  cleanups.push(async () => void (await sidecar.stop()));
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`http://127.0.0.1:${sidecar.adminPort}/readyz`).then((r) => r.status, () => 0)) === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  ok(`sidecar ready: identity ${namespace}/agent/${world.podName} verified by TokenReview, listening on 127.0.0.1:${port}`);

  heading('The app: the official openai SDK with OPENAI_BASE_URL on the sidecar and a placeholder key');
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0 });
  const completion = await client.chat.completions.create({ model: 'gpt-demo', messages: [{ role: 'user', content: 'hello' }] });
  ok(`allowed: POST /v1/chat/completions → "${completion.choices[0]?.message.content ?? ''}"`);
  await client.models.list().then(
    () => denied('models.list() unexpectedly succeeded'),
    (err: unknown) => denied(`denied: GET /v1/models → the SDK raises ${(err as Error).constructor.name}: ${(err as Error).message}`),
  );

  await revoke(kc, namespace, client);
  await new Promise((r) => setTimeout(r, 200)); // let the last audit lines arrive on the pipe
  printAudit(sidecar);
}

async function revoke(kc: KubeConfig, namespace: string, client: OpenAI): Promise<void> {
  heading('Revocation: edit the policy and watch the next call fail');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const started = performance.now();
  const current = (await custom.getNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', name: 'agent-chat-only' })) as { metadata: object };
  await custom.replaceNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', name: 'agent-chat-only', body: { ...chatOnlyPolicy(['/v1/embeddings']), metadata: current.metadata } });
  for (;;) {
    const err = await client.chat.completions.create({ model: 'gpt-demo', messages: [{ role: 'user', content: 'again' }] }).then(() => undefined, (e: unknown) => e);
    if (err) {
      denied(`${Math.round(performance.now() - started)} ms after the edit: ${(err as Error).message}`);
      break;
    }
    if (performance.now() - started > 5000) throw new Error('the policy edit did not take effect within 5 s');
  }

}

function printAudit(sidecar: SidecarProcess): void {
  heading('Audit log: one JSON line per request, naming the workload (sidecar stdout)');
  for (const line of sidecar.stdout) {
    const a = JSON.parse(line) as { time: string; workload: { pod: string }; method: string; path: string; status: number; decision: { effect: string; policy: string | null } };
    detail(`${a.time} pod=${a.workload.pod} ${a.method} ${a.path} → ${a.status} ${a.decision.effect} (${a.decision.policy ?? 'no policy'})`);
  }
  const leaked = [...sidecar.stdout, ...sidecar.stderr].some((l) => l.includes(REAL_KEY));
  ok(`the real key appears in no log line: ${leaked ? 'FAILED' : 'confirmed'}`);
  if (leaked) process.exitCode = 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    note(`\n${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

main()
  .then(cleanup)
  .then(() => console.log('\nDemo finished; everything it started is stopped.'))
  .catch(async (err: unknown) => {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanup();
    process.exit(1);
  });
