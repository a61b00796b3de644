// The shared set-up of the oauth2-origin e2e tests: a namespace with the service account `reports` and
// its pod, CredentialSources with spec.http.oauth2 against a real Hydra, an allow-all policy, and the
// shipped sidecar in cluster mode with the pod's files under a temp folder (Secret volumes in
// <dir>/sources/<source>/<key>, per-source projected tokens in <dir>/origin-tokens/<source>).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { mountSidecarTokens, startClusterSidecar, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount } from '../support/workloads.js';
import type { ResourceServer } from './resource-server.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };

export interface OAuth2Pod {
  readonly ns: string;
  readonly pod: V1Pod;
}

export async function createOAuth2Pod(prefix: string): Promise<OAuth2Pod> {
  const ns = await createNamespace(prefix);
  await createServiceAccount(ns, 'reports');
  await grantSidecarAccess(ns, 'reports');
  const pod = await createPod(ns, 'reports-0', { serviceAccount: 'reports' });
  const custom = kubeConfig().makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    ...group, namespace: ns, plural: 'egresspolicies',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'reports' },
      spec: { workloads: { serviceAccounts: ['reports'] }, rules: [{ name: 'all', effect: 'Allow', source: '*', paths: ['/**'] }] } },
  });
  return { ns, pod };
}

/** Creates the http source `name` on `port` with `oauth2`, in front of the resource server. */
export async function createOAuth2Source(ns: string, name: string, port: number, rs: ResourceServer, oauth2: object): Promise<void> {
  await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...group, namespace: ns, plural: 'credentialsources',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name },
      spec: { type: 'http', port, http: { upstream: rs.upstream.url, caBundle: rs.upstream.ca.certPem, oauth2 } } },
  });
}

/** What the kubelet does with a Secret volume: the key's file under <dir>/sources/<source>/. */
export function mountSecret(dir: string, source: string, key: string, value: string): void {
  mkdirSync(join(dir, 'sources', source), { recursive: true });
  writeFileSync(join(dir, 'sources', source, key), value);
}

/** What the kubelet does with the portcullis-origin-tokens volume: the source's projected token. */
export function mountOriginToken(dir: string, source: string, token: string): void {
  mkdirSync(join(dir, 'origin-tokens'), { recursive: true });
  writeFileSync(join(dir, 'origin-tokens', source), token);
}

export interface RunningSidecar {
  readonly sidecar: ClusterSidecar;
  readonly logs: string[];
  readonly audit: string[];
}

/** Mounts the pod's identity and API tokens and starts the shipped sidecar; waits until `port` is served. */
export async function startOAuth2Sidecar(w: OAuth2Pod, dir: string, port: number): Promise<RunningSidecar> {
  await mountSidecarTokens(dir, w.pod, 3600);
  mkdirSync(join(dir, 'sources'), { recursive: true });
  mkdirSync(join(dir, 'origin-tokens'), { recursive: true });
  const logs: string[] = [];
  const audit: string[] = [];
  const sidecar = await startClusterSidecar({
    ns: w.ns, dir, port, readyTimeoutMs: 60_000,
    args: ['--origin-tokens-dir', join(dir, 'origin-tokens'), '--log-level', 'debug'],
    log: { write: (line) => void logs.push(line) },
    audit: { write: (line) => void audit.push(line) },
  });
  return { sidecar, logs, audit };
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly code: string | undefined;
}

/** Calls the sidecar as the app does (a placeholder credential it strips); keeps every answer in `answers`. */
export async function callSource(port: number, path: string, answers: string[]): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: 'Bearer portcullis-placeholder' } });
  const body = await res.text();
  answers.push(JSON.stringify([...res.headers]) + body);
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, body, code };
}
