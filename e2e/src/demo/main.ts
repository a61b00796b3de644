// `make demo`: the whole Portcullis flow on a local control plane, narrated step by step.
// The only place in the demo that reads env and signals.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type OpenAI from 'openai';
import { llmRoute, llmScript, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { stopControlPlane } from '../cluster/control-plane.js';
import { startLocalControlPlane } from '../cluster/start.js';
import { startMinio, type Minio } from '../support/aws-peers.js';
import { configureKubernetesAuth, grantKvRead, startOpenBao, type OpenBao } from '../support/openbao.js';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { requestPodBoundToken } from '../support/workloads.js';
import { startWorld } from '../webhook/world.js';
import { openaiCalls, openaiClient, s3Calls } from './apps.js';
import { budgetStops, killSwitch } from './controls.js';
import { createGithubResources, githubAppCalls, startDemoGithub, type DemoGithub } from './github-app.js';
import { GCS_SOURCE, createGcpResources, gcsCalls, startDemoGoogle, type DemoGoogle } from './gcp.js';
import { describeInjection } from './injected.js';
import { OAUTH2_SOURCE, oauth2Call, oauth2Source, startOAuth2Peer, type OAuth2Peer } from './oauth2.js';
import { suggestPolicy } from './suggest.js';
import { denied, detail, heading, note, ok } from './print.js';
import { BUCKET, GROUP, VAULT_KV_PATH, agentPolicy, createResources, writeVolumeFile, type DemoPorts } from './world.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const REAL_KEY = 'sk-demo-real-key-that-the-app-never-sees';
const VAULT_KEY = 'sk-demo-key-kept-in-openbao';

const cleanups: (() => Promise<unknown> | void)[] = [];
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

interface Cluster {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly issuer: string;
  /** The API server's service-account signing key (/openid/v1/jwks), for the OAuth2 server to trust. */
  readonly jwk: object;
}

async function controlPlane(): Promise<Cluster> {
  heading('Local control plane: kube-apiserver + etcd built from the Go module proxy');
  const { config, binDir, state, reused } = await startLocalControlPlane(process.env, repoRoot, (l) => note(l));
  // The e2e support helpers (pods, tokens, RBAC, webhook) find the cluster through this variable.
  process.env.PORTCULLIS_E2E_CLUSTER_DIR = config.clusterDir;
  if (!reused && !config.keep) cleanups.push(() => stopControlPlane(config.clusterDir));
  ok(`${state.version} at ${state.server}${reused ? ' (already running)' : ''}`);
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);

  heading('Install the CRDs: CredentialSource and EgressPolicy');
  const kubectl = (...args: string[]): void => void execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, ...args], { stdio: 'pipe' });
  kubectl('apply', '--server-side', '-f', join(repoRoot, 'crds'));
  kubectl('wait', '--for=condition=Established', '-f', join(repoRoot, 'crds'));
  ok('crds/ applied and Established');
  const jwks = JSON.parse(execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, 'get', '--raw', '/openid/v1/jwks'], { encoding: 'utf8' })) as { keys: object[] };
  return { kc, server: state.server, issuer: state.serviceAccountIssuer, jwk: jwks.keys[0] ?? {} };
}

function fakeOpenAI(): Promise<Upstream> {
  // OpenAI's wire format, usage included (what budgets are counted from); 40 output tokens per answer.
  const keys = new Set([`Bearer ${REAL_KEY}`, `Bearer ${VAULT_KEY}`]);
  return startUpstream(testPki(), (req) => keys.has(req.headers.authorization ?? ''), llmRoute(llmScript({ reply: 'Hello from behind the portcullis.', outputTokens: 40 })));
}

async function peers(): Promise<{ upstream: Upstream; minio: Minio; bao: OpenBao }> {
  heading('The APIs behind the portcullis: an OpenAI stand-in, MinIO as S3, and OpenBao holding a key');
  const upstream = await fakeOpenAI();
  cleanups.push(() => upstream.close());
  note(`api.openai.com is played by a local HTTPS server (${upstream.url}) that accepts only the real key`);
  const minio = await startMinio();
  cleanups.push(() => minio.stop());
  const root = new S3Client({ ...minio.clientConfig });
  await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'q3/summary.txt', Body: 'Revenue up 12 %.\n' }));
  root.destroy();
  note(`S3 is MinIO at ${minio.endpoint} (it checks every signature); bucket ${BUCKET} holds q3/summary.txt`);
  const bao = await startOpenBao({ dev: true });
  cleanups.push(() => bao.close());
  await configureKubernetesAuth(bao);
  await bao.putKv(VAULT_KV_PATH, { 'api-key': VAULT_KEY });
  note(`OpenBao (Vault API) at ${bao.address} holds a second OpenAI key in secret/${VAULT_KV_PATH}; its Kubernetes auth reviews pod tokens with this API server`);
  return { upstream, minio, bao };
}

async function injectPod(kc: KubeConfig, namespace: string): Promise<ReturnType<CoreV1Api['createNamespacedPod']>> {
  heading('Opt a pod in: portcullis.dev/inject: "true" — the webhook mutates it at admission');
  const pod = await kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'agent-0', annotations: { 'portcullis.dev/inject': 'true' } },
      spec: { serviceAccountName: 'agent', containers: [{ name: 'app', image: 'registry.example/agent:1' }] },
    },
  });
  describeInjection(pod);
  return pod;
}

async function runSidecar(cluster: Cluster, namespace: string, pod: Awaited<ReturnType<typeof injectPod>>, minio: Minio, github: DemoGithub, oauth2: OAuth2Peer, google: DemoGoogle): Promise<SidecarProcess> {
  heading("Run that pod's sidecar as a local process, with the pod's own bound tokens (no kubelet here)");
  const volumes = mkdtempSync(join(tmpdir(), 'portcullis-demo-'));
  cleanups.push(() => rmSync(volumes, { recursive: true, force: true }));
  writeVolumeFile(volumes, 'identity/token', await requestPodBoundToken(pod, ['portcullis'], 3600));
  writeVolumeFile(volumes, 'api/token', await requestPodBoundToken(pod, [cluster.issuer], 3600));
  writeVolumeFile(volumes, 'api/ca.crt', Buffer.from(cluster.kc.getCurrentCluster()?.caData ?? '', 'base64').toString());
  writeVolumeFile(volumes, 'vault/token', await requestPodBoundToken(pod, ['vault'], 3600));
  writeVolumeFile(volumes, 'sources/openai/api-key', `${REAL_KEY}\n`);
  writeVolumeFile(volumes, 'sources/s3/AWS_ACCESS_KEY_ID', minio.accessKeyId);
  writeVolumeFile(volumes, 'sources/s3/AWS_SECRET_ACCESS_KEY', minio.secretAccessKey);
  writeVolumeFile(volumes, 'sources/github/private-key.pem', github.privateKeyPem);
  writeVolumeFile(volumes, `origin-tokens/${OAUTH2_SOURCE}`, await requestPodBoundToken(pod, [oauth2.hydra.tokenEndpoint], 3600));
  writeVolumeFile(volumes, `origin-tokens/${GCS_SOURCE}`, await requestPodBoundToken(pod, [google.tokenAudience], 3600));
  note("files laid out as the webhook mounts them: tokens (audiences portcullis, the API server, vault, Hydra's token endpoint and the Google provider), Secret volumes");
  const sidecar = await startSidecarProcess([
    '--namespace', namespace, '--api-server', cluster.server, '--api-token-file', join(volumes, 'api/token'), '--api-ca-file', join(volumes, 'api/ca.crt'),
    '--identity-token-file', join(volumes, 'identity/token'), '--vault-jwt-file', join(volumes, 'vault/token'), '--secrets-dir', join(volumes, 'sources'),
    '--origin-tokens-dir', join(volumes, 'origin-tokens'),
    '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1',
  ]);
  cleanups.push(() => sidecar.stop());
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`http://127.0.0.1:${sidecar.adminPort}/readyz`).then((r) => r.status, () => 0)) === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  ok(`sidecar ready: identity ${namespace}/agent/agent-0 verified by TokenReview`);
  return sidecar;
}

async function vaultCall(port: number, bao: OpenBao, namespace: string): Promise<void> {
  heading('The app, part 1b: the same SDK on a source whose key lives in OpenBao (Vault API)');
  const completion = await openaiClient(port).chat.completions.create({ model: 'gpt-demo', messages: [{ role: 'user', content: 'hello' }] });
  ok(`allowed: POST /v1/chat/completions via openai-vault → "${completion.choices[0]?.message.content ?? ''}" (key read from OpenBao by the sidecar, logged in as the pod)`);
  type Entry = { type: string; auth?: { metadata?: Record<string, string> }; request?: { path?: string; operation?: string; headers?: Record<string, string[]> } };
  const entries = (bao.auditEntries() as Entry[]).filter((e) => e.type === 'response' && e.auth?.metadata?.service_account_namespace === namespace);
  const read: Entry = entries.find((e) => e.request?.path === `secret/data/${VAULT_KV_PATH}`) ?? { type: 'none' };
  const meta = { service_account_namespace: '?', service_account_name: '?', ...read.auth?.metadata };
  const pod = read.request?.headers?.['x-portcullis-workload']?.[0] ?? '?';
  detail(`OpenBao audit log: read of secret/data/${VAULT_KV_PATH} by service account ${meta.service_account_namespace}/${meta.service_account_name} (verified at login), pod ${pod}`);
}

async function revoke(kc: KubeConfig, namespace: string, client: OpenAI): Promise<void> {
  heading('Revocation: edit the policy and watch the next call fail');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const started = performance.now();
  // A JSON patch of the spec alone: the webhook's status controller writes the same object's status, so a
  // read-then-replace could meet a newer resourceVersion (409 Conflict).
  const { spec } = agentPolicy(['/v1/embeddings']) as { spec: object };
  await custom.patchNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', name: 'agent', body: [{ op: 'replace', path: '/spec', value: spec }] });
  for (;;) {
    const err = await client.chat.completions.create({ model: 'gpt-demo', messages: [{ role: 'user', content: 'again' }] }).then(() => undefined, (e: unknown) => e);
    if (err) return denied(`${Math.round(performance.now() - started)} ms after the edit: ${(err as Error).message}`);
    if (performance.now() - started > 5000) throw new Error('the policy edit did not take effect within 5 s');
  }
}

function printAudit(sidecar: SidecarProcess, secrets: readonly string[]): void {
  heading('Audit log: one JSON line per request, naming the workload (sidecar stdout)');
  for (const line of sidecar.stdout) {
    const a = JSON.parse(line) as { time: string; workload: { pod: string }; method: string; path: string; status: number; decision: { effect: string; policy: string | null }; aws?: { action?: string } };
    detail(`${a.time} pod=${a.workload.pod} ${a.aws?.action ?? a.method} ${a.path} → ${a.status} ${a.decision.effect} (${a.decision.policy ?? 'no policy'})`);
  }
  const leaked = [...sidecar.stdout, ...sidecar.stderr].some((l) => secrets.some((s) => l.includes(s)));
  ok(`no credential appears in any log line: ${leaked ? 'FAILED' : 'confirmed'}`);
  if (leaked) process.exitCode = 1;
}

async function main(): Promise<void> {
  const cluster = await controlPlane();
  heading('The admission webhook, as a local process registered through a MutatingWebhookConfiguration');
  const world = await startWorld();
  cleanups.push(() => world.cleanup());
  const namespace = world.namespaces[0] ?? '';
  ok(`webhook serving https://127.0.0.1:${world.webhook.port}/mutate with its own CA; pods of namespace ${namespace} go through it`);
  const { upstream, minio, bao } = await peers();
  const github = await startDemoGithub();
  cleanups.push(() => github.standIn.close());
  note(`GitHub is played by a local HTTPS server (${github.standIn.url}) that verifies the App's JWT and enforces what each installation token may reach`);
  const githubPort = 16080 + (process.pid % 1000);
  const gcsPort = 15080 + (process.pid % 1000);
  const google = await startDemoGoogle(cluster.issuer, cluster.jwk, namespace);
  cleanups.push(() => google.close());
  note(`Google STS, IAM Credentials and Cloud Storage are played by local HTTPS servers that verify the pod token against this API server's key and accept only the tokens they issued`);
  const ports: DemoPorts = { openai: 18080 + (process.pid % 1000), openaiVault: 17080 + (process.pid % 1000), s3: 19080 + (process.pid % 1000), oauth2: 14080 + (process.pid % 1000) };
  const oauth2 = await startOAuth2Peer(cluster.issuer, cluster.jwk, namespace);
  cleanups.push(() => oauth2.close());
  note(`Ory Hydra (a real OAuth2 server) at ${oauth2.hydra.issuer} trusts this API server's service-account issuer for ${namespace}/agent`);
  await grantKvRead(bao, { role: 'agent', namespace, serviceAccount: 'agent', path: VAULT_KV_PATH, tokenTtlSeconds: 900 });
  await createResources(cluster.kc, namespace, ports, upstream, minio, bao.address, oauth2Source(ports.oauth2, oauth2));
  detail(`CredentialSource openai (preset openai, port ${ports.openai}), openai-vault (the key in OpenBao, port ${ports.openaiVault}), s3 (type aws, port ${ports.s3}, MinIO keys from a Secret) and ${OAUTH2_SOURCE} (OAuth2 JWT-bearer at Hydra, port ${ports.oauth2}, no secret)`);
  detail('EgressPolicy agent: service account agent may POST /v1/chat/completions (openai and openai-vault) and s3:Get*/s3:ListBucket on bucket reports');
  await createGithubResources(cluster.kc, namespace, githubPort, github);
  detail(`CredentialSource github (GitHub App installation tokens, port ${githubPort}) with EgressPolicy agent-github`);
  await createGcpResources(cluster.kc, namespace, gcsPort, google);
  detail(`CredentialSource ${GCS_SOURCE} (preset gcs, GCP workload identity federation, port ${gcsPort}) with EgressPolicy agent-gcs`);
  const pod = await injectPod(cluster.kc, namespace);
  const sidecar = await runSidecar(cluster, namespace, pod, minio, github, oauth2, google);
  const client = openaiClient(ports.openai);
  await openaiCalls(client);
  await vaultCall(ports.openaiVault, bao, namespace);
  await githubAppCalls(githubPort, github);
  heading("The app, part 1d: a secretless OAuth2 source — the pod's own projected token is the grant at Hydra");
  await oauth2Call(ports.oauth2, oauth2);
  await gcsCalls(gcsPort, google);
  await s3Calls(ports.s3, minio.region);
  await killSwitch(cluster.kc, namespace, client);
  await budgetStops(cluster.kc, namespace, client);
  await revoke(cluster.kc, namespace, client);
  await new Promise((r) => setTimeout(r, 200)); // let the last audit lines arrive on the pipe
  printAudit(sidecar, [REAL_KEY, VAULT_KEY, minio.secretAccessKey, ...oauth2.rs.acceptedTokens()]);
  await suggestPolicy(sidecar);
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
