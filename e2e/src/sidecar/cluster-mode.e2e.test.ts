import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { apiTokenReviewer, createLogger, identityFromReview, nodeFiles, sidecarKubeClient, systemClock, type AuditRecord, type Sidecar } from '@portcullis/sidecar';
import type { Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, kubeConfig } from '../support/cluster.js';
import { createAgentWorld, getCode, startClusterSidecar, stopAndRemove, until } from '../support/cluster-sidecar.js';
import { createPod, deletePod, requestPodBoundToken } from '../support/workloads.js';

// What main.ts makes for the sidecar process (for the extra API client below).
const files = nodeFiles(systemClock());

const KEY = 'e2e-real-key';
const group = { group: 'portcullis.dev', version: 'v1alpha1' };

const get = getCode;

describe('sidecar in cluster mode against the real API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-sidecar-'));
  const audit: AuditRecord[] = [];
  const port = 20000 + Math.floor(Math.random() * 20000);
  let ns: string;
  let upstream: Upstream;
  let sidecar: Sidecar;
  let base: string;
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    const world = await createAgentWorld({ prefix: 'sidecar', dir, port, key: KEY, tokenSeconds: 3600, rules: [{ name: 'read', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/**'] }] });
    ns = world.ns;
    upstream = world.upstream;
    sidecar = await startClusterSidecar({
      ns, dir, port,
      args: ['--identity-review-interval-seconds', '2'],
      log: createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })),
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
    const review = apiTokenReviewer(await sidecarKubeClient({ kind: 'token', server: clusterEnv().server, tokenFile: join(dir, 'api/token'), caFile: join(dir, 'api/ca.crt') }, files));
    const pod = await createPod(ns, 'other-0', { serviceAccount: 'agent' });
    const stsToken = await requestPodBoundToken(pod, ['sts.amazonaws.com'], 600);
    expect(identityFromReview(await review(stsToken, 'portcullis'), 'portcullis')).toEqual({ problem: expect.stringContaining('did not authenticate') });
    const good = await requestPodBoundToken(pod, ['portcullis'], 600);
    expect(identityFromReview(await review(good, 'portcullis'), 'portcullis')).toMatchObject({ podName: 'other-0', serviceAccount: 'agent' });
  });

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
    const metrics = await sidecar.metrics.registry.metrics();
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
