// A cluster-mode sidecar run in-process the way the webhook configures it in a pod: its own files (the
// identity and API tokens of a real pod, the API server's CA, Secret volumes) in a temp folder, the
// webhook's flags, and the Clock and Files main.ts would make.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { buildSidecar, nodeFiles, parseOptions, sidecarKubeClient, systemClock, type Sidecar, type SidecarDeps } from '@portcullis/sidecar';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, createNamespace, kubeConfig } from './cluster.js';
import { grantSidecarAccess } from './sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from './workloads.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };

/**
 * Writes what the webhook mounts into the sidecar under `dir`: identity/token (audience portcullis),
 * api/token (the API server's audience) and api/ca.crt, each token valid for `tokenSeconds`.
 */
export async function mountSidecarTokens(dir: string, pod: V1Pod, tokenSeconds: number): Promise<void> {
  for (const d of ['identity', 'api']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'identity/token'), await requestPodBoundToken(pod, ['portcullis'], tokenSeconds));
  writeFileSync(join(dir, 'api/token'), await requestPodBoundToken(pod, [clusterEnv().serviceAccountIssuer], tokenSeconds));
  writeFileSync(join(dir, 'api/ca.crt'), Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
}

/** The http CredentialSource `api` (Bearer, key `key` of its Secret, mounted at <dir>/sources/api/key) in front of `upstream`. */
export async function createApiSource(ns: string, dir: string, port: number, upstream: Upstream, key: string): Promise<void> {
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
  /** The source port to wait for. */
  readonly port: number;
  /** More flags (--identity-review-interval-seconds, --sts-token-file, …). */
  readonly args?: readonly string[];
  readonly log: SidecarDeps['log'];
  readonly audit: SidecarDeps['audit'];
  readonly readyTimeoutMs: number;
}

/** Builds and starts the sidecar with the webhook's flags, and waits until it is ready and listens on `port`. */
export async function startClusterSidecar(o: ClusterSidecarOptions): Promise<Sidecar> {
  const { dir } = o;
  const options = parseOptions(
    ['--namespace', o.ns, '--api-server', clusterEnv().server, '--api-token-file', join(dir, 'api/token'), '--api-ca-file', join(dir, 'api/ca.crt'),
      '--identity-token-file', join(dir, 'identity/token'), '--secrets-dir', join(dir, 'sources'), '--admin-address', '127.0.0.1', '--admin-port', '0',
      '--listen-addresses', '127.0.0.1', ...(o.args ?? [])],
    {},
  );
  if (options.mode.kind !== 'cluster') throw new Error('startClusterSidecar: the flags did not select cluster mode');
  // What main.ts makes for the sidecar process: the one clock and file access.
  const clock = systemClock();
  const files = nodeFiles(clock);
  const sidecar = buildSidecar(options, { clock, files, log: o.log, audit: o.audit, kube: await sidecarKubeClient(options.mode.api, files), defaultMetrics: false });
  await sidecar.start();
  const deadline = Date.now() + o.readyTimeoutMs;
  while (!(sidecar.readiness().ready && sidecar.ports().includes(o.port))) {
    if (Date.now() > deadline) {
      await sidecar.stop();
      throw new Error(`sidecar not ready: ${sidecar.readiness().reasons.join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return sidecar;
}

/** afterAll of a test with an in-process sidecar: stops it, then its upstream, then removes its files. */
export async function stopAndRemove(sidecar: Sidecar | undefined, upstream: Upstream | undefined, dir: string): Promise<void> {
  await sidecar?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
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
