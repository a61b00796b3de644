import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { apiTokenReviewer, buildSidecar, createLogger, identityFromReview, nodeFiles, parseOptions, sidecarKubeClient, systemClock, type AuditRecord, type Sidecar } from '@portcullis/sidecar';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, createNamespace, kubeConfig } from '../support/cluster.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, deletePod, requestPodBoundToken } from '../support/workloads.js';

// What main.ts makes for the sidecar process: the one clock and file access.
const clock = systemClock();
const files = nodeFiles(clock);

const KEY = 'e2e-real-key';
const group = { group: 'portcullis.dev', version: 'v1alpha1' };

async function get(url: string): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(url);
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

async function until<T>(probe: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<{ value: T; elapsedMs: number }> {
  const start = performance.now();
  for (;;) {
    const value = await probe();
    const elapsedMs = performance.now() - start;
    if (done(value) || elapsedMs > timeoutMs) return { value, elapsedMs };
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
    ns = await createNamespace('sidecar');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    const pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent' });
    mkdirSync(join(dir, 'identity'));
    mkdirSync(join(dir, 'api'));
    writeFileSync(join(dir, 'identity/token'), await requestPodBoundToken(pod, ['portcullis'], 3600));
    writeFileSync(join(dir, 'api/token'), await requestPodBoundToken(pod, [clusterEnv().serviceAccountIssuer], 3600));
    writeFileSync(join(dir, 'api/ca.crt'), Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    writeFileSync(join(dir, 'sources/api/key'), KEY);

    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
    await custom().createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'credentialsources',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api' },
        spec: { type: 'http', port, http: { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api-key', key: 'key' } } } },
    });
    await custom().createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent' },
        spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'read', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/**'] }] } },
    });

    // The sidecar's own API access is the pod's API-audience token, exactly as the webhook mounts it.
    const options = parseOptions(
      ['--namespace', ns, '--api-server', clusterEnv().server, '--api-token-file', join(dir, 'api/token'), '--api-ca-file', join(dir, 'api/ca.crt'),
        '--identity-token-file', join(dir, 'identity/token'), '--secrets-dir', join(dir, 'sources'), '--admin-address', '127.0.0.1', '--admin-port', '0',
        '--listen-addresses', '127.0.0.1', '--identity-review-interval-seconds', '2'],
      {},
    );
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    sidecar = buildSidecar(options, {
      clock,
      files,
      log: createLogger('warn', quiet),
      audit: { write: (line) => audit.push(JSON.parse(line) as AuditRecord) },
      kube: await sidecarKubeClient(options.mode.kind === 'cluster' ? options.mode.api : { kind: 'kubeconfig', path: '' }, files),
      defaultMetrics: false,
    });
    await sidecar.start();
    base = `http://127.0.0.1:${port}`;
    const ready = await until(() => sidecar.readiness().ready && sidecar.ports().includes(port), (v) => v, 10_000);
    if (!ready.value) throw new Error(`sidecar not ready: ${sidecar.readiness().reasons.join('; ')}`);
  }, 60_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
