// The kill switch on the real API server: the shipped sidecar executable in cluster mode watches its own Pod (RBAC limited to
// that one pod by resourceNames) and its namespace's EgressPolicies. Labelling or annotating the pod
// portcullis.dev/suspend=true, or setting spec.suspend on a policy, denies every call within a second;
// removing it resumes. 20 trials, p99 ≤ 1 s; the pod stays ready throughout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { nodeFiles, sidecarKubeClient, systemClock, type AuditRecord } from '@portcullis/sidecar';
import { startUpstream, json, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, createNamespace, kubeConfig } from '../support/cluster.js';
import { createAgentPolicy, createApiSource, mountSidecarTokens, startClusterSidecar, stopAndRemove, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { grantOwnPodRead } from '../support/pod-self-rbac.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount } from '../support/workloads.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'e2e-kill-switch-key';
const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const TRIALS = 20;
const files = nodeFiles(systemClock());

async function call(url: string): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(url).catch(() => undefined);
  if (!res) return { status: 0, code: undefined };
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

/** Polls every 10 ms until `done`; the time from `since` (before the API call that changed it). */
async function until(probe: () => Promise<{ status: number; code: string | undefined }>, done: (v: { status: number; code: string | undefined }) => boolean, since: number, timeoutMs = 5000): Promise<number> {
  for (;;) {
    const v = await probe();
    const elapsed = performance.now() - since;
    if (done(v)) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`no change within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;

describe('kill switch on the real API server (the shipped executable in cluster mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-suspend-'));
  const audit: AuditRecord[] = [];
  const port = testPort();
  let ns: string;
  let upstream: Upstream;
  let sidecar: ClusterSidecar;
  let url: string;
  const core = (): CoreV1Api => kubeConfig().makeApiClient(CoreV1Api);
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    ns = await createNamespace('suspend');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    // A label and an annotation, so the JSON patches below have maps to add to.
    const pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent', labels: { app: 'agent' }, annotations: { team: 'ai' } });
    await createPod(ns, 'neighbour-0', { serviceAccount: 'agent' });
    // This pod is made without the webhook, so the Role is written here as an operator would with
    // webhook.podRoleController off; pod-roles.e2e.test.ts runs the kill switch with the webhook's Role.
    await grantOwnPodRead(ns, 'agent', 'agent-0');
    await mountSidecarTokens(dir, pod, 3600);
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
    await createApiSource(ns, dir, port, upstream, KEY);
    await createAgentPolicy(ns, [{ effect: 'Allow', source: 'api' }]);
    sidecar = await startClusterSidecar({ ns, dir, port, readyTimeoutMs: 20_000, audit: { write: (line) => audit.push(JSON.parse(line) as AuditRecord) } });
    url = `http://127.0.0.1:${port}/v1/x`;
    await until(() => call(url), (v) => v.status === 200, performance.now(), 15_000);
  }, 60_000);

  afterAll(() => stopAndRemove(sidecar, upstream, dir));

  it(`denies every call within 1 s of portcullis.dev/suspend=true on the pod, and resumes when removed (p99 of ${TRIALS} trials)`, async () => {
    const path = (kind: 'labels' | 'annotations'): string => `/metadata/${kind}/portcullis.dev~1suspend`;
    const suspendMs: number[] = [];
    const resumeMs: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const kind = i % 2 === 0 ? 'labels' : 'annotations';
      let since = performance.now();
      await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'add', path: path(kind), value: 'true' }] });
      suspendMs.push(await until(() => call(url), (v) => v.status === 403 && v.code === 'SUSPENDED', since));
      // Suspended, still ready: probes must not restart it.
      expect((await sidecar.readiness()).status).toBe(200);
      since = performance.now();
      await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'remove', path: path(kind) }] });
      resumeMs.push(await until(() => call(url), (v) => v.status === 200, since));
    }
    const line = `kill switch over ${TRIALS} trials: suspend p50 ${percentile(suspendMs, 50).toFixed(0)} ms, p99 ${percentile(suspendMs, 99).toFixed(0)} ms; resume p50 ${percentile(resumeMs, 50).toFixed(0)} ms, p99 ${percentile(resumeMs, 99).toFixed(0)} ms`;
    process.stderr.write(`${line}\n`);
    expect(percentile(suspendMs, 99)).toBeLessThanOrEqual(1000);
    expect(percentile(resumeMs, 99)).toBeLessThanOrEqual(1000);
    const denied = audit.filter((a) => a.error === 'SUSPENDED');
    expect(denied.length).toBeGreaterThanOrEqual(TRIALS);
    expect(denied[0]).toMatchObject({ status: 403, workload: { pod: 'agent-0' } });
    expect(await sidecar.metrics()).toMatch(/portcullis_sidecar_limit_decisions_total\{source="all",result="suspended"\} [1-9]/);
  });

  it('a value other than "true" does not suspend', async () => {
    await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'add', path: '/metadata/labels/portcullis.dev~1suspend', value: 'false' }] });
    await new Promise((r) => setTimeout(r, 300));
    expect((await call(url)).status).toBe(200);
    await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'remove', path: '/metadata/labels/portcullis.dev~1suspend' }] });
  });

  it('a policy-level suspend stops the workloads the policy selects within 1 s, and resumes', async () => {
    let since = performance.now();
    await custom().patchNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent', body: [{ op: 'add', path: '/spec/suspend', value: true }] });
    expect(await until(() => call(url), (v) => v.code === 'SUSPENDED', since)).toBeLessThanOrEqual(1000);
    since = performance.now();
    await custom().patchNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent', body: [{ op: 'replace', path: '/spec/suspend', value: false }] });
    expect(await until(() => call(url), (v) => v.status === 200, since)).toBeLessThanOrEqual(1000);
  });

  it("the sidecar's credentials read its own Pod and no other (RBAC by resourceNames)", async () => {
    const kube = await sidecarKubeClient({ kind: 'token', server: clusterEnv().server, tokenFile: join(dir, 'api/token'), caFile: join(dir, 'api/ca.crt') }, files);
    const pods = `/api/v1/namespaces/${ns}/pods`;
    await expect(kube.json('GET', `${pods}/agent-0`)).resolves.toMatchObject({ metadata: { name: 'agent-0' } });
    await expect(kube.json('GET', `${pods}?fieldSelector=${encodeURIComponent('metadata.name=agent-0')}`)).resolves.toMatchObject({ items: [{ metadata: { name: 'agent-0' } }] });
    await expect(kube.json('GET', `${pods}/neighbour-0`)).rejects.toThrow(/403|forbidden/i);
    await expect(kube.json('GET', pods)).rejects.toThrow(/403|forbidden/i);
    await expect(kube.json('GET', `${pods}?fieldSelector=${encodeURIComponent('metadata.name=neighbour-0')}`)).rejects.toThrow(/403|forbidden/i);
  });
});
