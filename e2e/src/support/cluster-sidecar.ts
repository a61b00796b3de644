// A cluster-mode sidecar run as the pod runs it: the executable the image ships (Bun, ADR 6), started
// with the webhook's flags (sidecarArgs, the kubelet's $(POD_NAMESPACE) expanded), reading its own files
// (the identity and API tokens of a real pod, the API server's CA, the downward-API labels, Secret
// volumes) from a temp folder. Tests see it only as a process: /readyz and /metrics on the admin port,
// audit lines on stdout, JSON logs on stderr, SIGTERM and the exit code (issue 12).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { POD_NAMESPACE_ENV, SIDECAR_FLAGS, SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS, sidecarArgs } from '@portcullis/shared';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, createNamespace, kubeConfig } from './cluster.js';
import { startSidecarProcess, waitServing, type SidecarProcess } from './sidecar-process.js';
import { grantSidecarAccess } from './sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from './workloads.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };

/**
 * Writes what the webhook mounts into the sidecar under `dir`: identity/token (audience portcullis),
 * api/token (the API server's audience) and api/ca.crt, each token valid for `tokenSeconds`, and
 * podinfo/labels (the downward API's `key="value"` lines).
 */
export async function mountSidecarTokens(dir: string, pod: V1Pod, tokenSeconds: number): Promise<void> {
  for (const d of ['identity', 'api', 'podinfo']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'podinfo/labels'), Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join(''));
  writeFileSync(join(dir, 'identity/token'), await requestPodBoundToken(pod, ['portcullis'], tokenSeconds));
  writeFileSync(join(dir, 'api/token'), await requestPodBoundToken(pod, [clusterEnv().serviceAccountIssuer], tokenSeconds));
  writeFileSync(join(dir, 'api/ca.crt'), Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
}

/** The http CredentialSource `api` (Bearer, key `key` of its Secret, mounted at <dir>/sources/api/key) in front of `upstream`. */
export async function createApiSource(ns: string, dir: string, port: number, upstream: Pick<Upstream, 'url' | 'ca'>, key: string): Promise<void> {
  mkdirSync(join(dir, 'sources/api'), { recursive: true });
  writeFileSync(join(dir, 'sources/api/key'), key);
  await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...group, namespace: ns, plural: 'credentialsources',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api' },
      spec: { type: 'http', port, http: { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api-key', key: 'key' } } } },
  });
}

/** The EgressPolicy `agent` for the service account `agent` with `rules`. */
export async function createAgentPolicy(ns: string, rules: readonly object[]): Promise<void> {
  await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...group, namespace: ns, plural: 'egresspolicies',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules } },
  });
}

export interface AgentWorld {
  readonly ns: string;
  readonly pod: V1Pod;
  /** Answers 200 `{ok: true}` to requests that carry `Bearer <key>`, 401 otherwise. */
  readonly upstream: Upstream;
}

/**
 * A fresh namespace (`prefix-…`) with service account `agent` (granted the sidecar's RBAC) and its pod
 * `agent-0`, the sidecar's tokens of that pod under `dir`, an upstream that wants `Bearer <key>`, the
 * source `api` on `port` in front of it and the policy `agent` with `rules`.
 */
export async function createAgentWorld(o: { prefix: string; dir: string; port: number; key: string; tokenSeconds: number; rules: readonly object[] }): Promise<AgentWorld> {
  const ns = await createNamespace(o.prefix);
  await createServiceAccount(ns, 'agent');
  await grantSidecarAccess(ns, 'agent');
  const pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent' });
  // The sidecar's own API access is the pod's API-audience token, exactly as the webhook mounts it.
  await mountSidecarTokens(o.dir, pod, o.tokenSeconds);
  const upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${o.key}`, (_req, res) => json(res, 200, { ok: true }));
  await createApiSource(ns, o.dir, o.port, upstream, o.key);
  await createAgentPolicy(ns, o.rules);
  return { ns, pod, upstream };
}

export interface ClusterSidecarOptions {
  readonly ns: string;
  /** Where mountSidecarTokens wrote the tokens; Secret volumes are under <dir>/sources. */
  readonly dir: string;
  /** The source port to wait for (until /readyz lists it). */
  readonly port: number;
  /** More flags (--identity-review-interval-seconds, --sts-token-file, …). */
  readonly args?: readonly string[];
  /** Each JSON log line of the process's stderr, as it arrives (the process logs at info). */
  readonly log?: LineSink;
  /** Each audit line of the process's stdout, as it arrives. */
  readonly audit?: LineSink;
  readonly readyTimeoutMs: number;
}

export interface LineSink {
  write(line: string): void;
}

/** The running sidecar process: `readiness()`, `metrics()`, `adminPort`, `stdout`/`stderr`, `stop()` (SIGTERM → exit code). */
export type ClusterSidecar = SidecarProcess;

/**
 * The args of the injected proxy as the webhook builds them (sidecarArgs) with $(VAR) expanded as the
 * kubelet does, the pod's mounted files under `dir` in place of the mount paths, the API server of the
 * test control plane (no in-cluster env here), and loopback with any free admin port.
 */
export function clusterSidecarArgs(ns: string, dir: string, extra: readonly string[] = []): string[] {
  const env: Record<string, string> = { [POD_NAMESPACE_ENV]: ns };
  const webhook = sidecarArgs({ sources: undefined, logLevel: undefined, youngGenerationMiB: undefined, adminPort: 0, identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS })
    .map((a) => a.replace(/\$\(([A-Z_]+)\)/g, (_m, name: string) => env[name] ?? ''));
  const labels = webhook.indexOf(`--${SIDECAR_FLAGS.labelsFile}`);
  if (labels < 0) throw new Error('sidecarArgs no longer passes --labels-file: update clusterSidecarArgs');
  webhook[labels + 1] = join(dir, 'podinfo/labels');
  return [
    ...webhook,
    '--api-server', clusterEnv().server, '--api-token-file', join(dir, 'api/token'), '--api-ca-file', join(dir, 'api/ca.crt'),
    '--identity-token-file', join(dir, 'identity/token'), '--secrets-dir', join(dir, 'sources'),
    '--admin-address', '127.0.0.1', '--listen-addresses', '127.0.0.1', ...extra,
  ];
}

/**
 * Starts the shipped sidecar executable in cluster mode with the webhook's flags, and waits until its
 * /readyz says ready and lists `port`.
 */
export async function startClusterSidecar(o: ClusterSidecarOptions): Promise<ClusterSidecar> {
  const sidecar = await startSidecarProcess(clusterSidecarArgs(o.ns, o.dir, o.args), o.readyTimeoutMs, 'shipped', {
    env: { [POD_NAMESPACE_ENV]: o.ns },
    ...(o.log ? { onStderr: (line: string) => o.log?.write(line) } : {}),
    ...(o.audit ? { onStdout: (line: string) => o.audit?.write(line) } : {}),
  });
  try {
    await waitServing(sidecar, [o.port], o.readyTimeoutMs);
  } catch (err) {
    await sidecar.stop();
    throw err;
  }
  return sidecar;
}

/**
 * afterAll of a test with a sidecar process: stops it (SIGTERM), then its upstream, then removes its
 * files; fails when the sidecar did not exit 0 (a graceful drain).
 */
export async function stopAndRemove(sidecar: SidecarProcess | undefined, upstream: Upstream | undefined, dir: string): Promise<void> {
  let code: number | null | undefined;
  try {
    code = await sidecar?.stop();
  } finally {
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (sidecar && code !== 0) throw new Error(`the sidecar exited with ${code} on SIGTERM:\n${sidecar.stderr.slice(-20).join('\n')}`);
}

/** GET `url`: the status and, for a Portcullis error answer, its code. */
export async function getCode(url: string): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(url);
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

/** Probes every 20 ms until `done` holds or `timeoutMs` passed; the last value and how long it took. */
export async function until<T>(probe: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<{ value: T; elapsedMs: number }> {
  const start = performance.now();
  for (;;) {
    const value = await probe();
    const elapsedMs = performance.now() - start;
    if (done(value) || elapsedMs > timeoutMs) return { value, elapsedMs };
    await new Promise((r) => setTimeout(r, 20));
  }
}
