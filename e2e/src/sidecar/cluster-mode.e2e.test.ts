import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { AuditRecord } from '@portcullis/sidecar';
import type { Upstream } from '@portcullis/sidecar/testing';
import { kubeConfig } from '../support/cluster.js';
import { clusterSidecarArgs, createAgentWorld, getCode, startClusterSidecar, stopAndRemove, until, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { startSidecarProcess } from '../support/sidecar-process.js';
import { createPod, deletePod, requestPodBoundToken } from '../support/workloads.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'e2e-real-key';
const group = { group: 'portcullis.dev', version: 'v1alpha1' };

const get = getCode;

describe('sidecar in cluster mode against the real API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-sidecar-'));
  const audit: AuditRecord[] = [];
  const port = testPort();
  let ns: string;
  let upstream: Upstream;
  let sidecar: ClusterSidecar;
  let base: string;
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    const world = await createAgentWorld({ prefix: 'sidecar', dir, port, key: KEY, tokenSeconds: 3600, rules: [{ name: 'read', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/**'] }] });
    ns = world.ns;
    upstream = world.upstream;
    sidecar = await startClusterSidecar({
      ns, dir, port,
      args: ['--identity-review-interval-seconds', '2'],
      audit: { write: (line) => audit.push(JSON.parse(line) as AuditRecord) },
      readyTimeoutMs: 10_000,
    });
    base = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(() => stopAndRemove(sidecar, upstream, dir));

  it('verifies its pod identity through TokenReview and names the pod in audit lines', async () => {
    expect(await get(`${base}/v1/models`)).toEqual({ status: 200, code: undefined });
    await until(() => audit.length, (n) => n > 0, 2000);
    expect(audit.at(-1)?.workload).toMatchObject({ namespace: ns, serviceAccount: 'agent', pod: 'agent-0' });
    expect(upstream.received.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('refuses, through the same TokenReview, a pod token minted for another audience', async () => {
    // A second sidecar process of another pod whose identity file holds its sts.amazonaws.com token: it
    // serves no source (--sources none) and must stay unready with the review's reason.
    const other = mkdtempSync(join(tmpdir(), 'portcullis-e2e-sidecar-aud-'));
    const pod = await createPod(ns, 'other-0', { serviceAccount: 'agent' });
    cpSync(join(dir, 'api'), join(other, 'api'), { recursive: true });
    cpSync(join(dir, 'identity'), join(other, 'identity'), { recursive: true });
    writeFileSync(join(other, 'identity/token'), await requestPodBoundToken(pod, ['sts.amazonaws.com'], 600));
    const wrong = await startSidecarProcess(clusterSidecarArgs(ns, other, ['--sources', 'none']));
    try {
      const { value } = await until(() => wrong.readiness(), (r) => r.body.reasons.some((x) => x.includes('did not authenticate')), 10_000);
      expect(value.status).toBe(503);
      expect(value.body.reasons).toContainEqual(expect.stringMatching(/^identity: .*did not authenticate/));
      expect(value.body.ports).toEqual([]);
    } finally {
      expect(await wrong.stop()).toBe(0);
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);

  it('takes a policy edit into account within a second', async () => {
    expect((await get(`${base}/v1/models`)).status).toBe(200);
    const current = (await custom().getNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent' })) as { spec: { rules: { paths: string[] }[] } };
    const edited = { ...current, spec: { ...current.spec, rules: [{ ...current.spec.rules[0], paths: ['/v2/**'] }] } };
    await custom().replaceNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent', body: edited });
    const { value, elapsedMs } = await until(() => get(`${base}/v1/models`), (r) => r.status === 403, 5000);
    expect(value).toEqual({ status: 403, code: 'POLICY_DENIED' });
    expect(elapsedMs).toBeLessThan(1000);
    expect((await get(`${base}/v2/models`)).status).toBe(200);
  });

  it('denies everything within a second of the policy being deleted', async () => {
    expect((await get(`${base}/v2/x`)).status).toBe(200);
    await custom().deleteNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent' });
    const { value, elapsedMs } = await until(() => get(`${base}/v2/x`), (r) => r.status === 403, 5000);
    expect(value.code).toBe('POLICY_DENIED');
    expect(elapsedMs).toBeLessThan(1000);
    const metrics = await sidecar.metrics();
    expect(metrics).toMatch(/portcullis_sidecar_informer_reconnects_total\{resource="egresspolicies"\} [1-9]/);
    expect(metrics).toMatch(/portcullis_sidecar_policy_generation [1-9]/);
  });

  it('stops serving once its pod is deleted and the token no longer reviews', async () => {
    await deletePod(ns, 'agent-0');
    // Bounded by the API server's 10 s token cache plus the sidecar's periodic re-review.
    const { value } = await until(() => get(`${base}/v2/x`), (r) => r.code === 'IDENTITY_UNAVAILABLE', 30_000);
    expect(value).toEqual({ status: 503, code: 'IDENTITY_UNAVAILABLE' });
  }, 40_000);
});
