// An API server that stops answering for longer than one identity review interval (SIGSTOP of the
// control plane's kube-apiserver) must not take a cluster-mode sidecar out of service: it keeps
// serving with the identity it verified, stays ready, and counts the failed reviews.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { buildSidecar, createLogger, parseOptions, sidecarKubeClient, type Sidecar, nodeFiles, systemClock } from '@portcullis/sidecar';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { withApiServerStopped } from '../support/api-server-stop.js';
import { clusterEnv, createNamespace, kubeConfig } from '../support/cluster.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from '../support/workloads.js';

// What main.ts makes for the sidecar process: the one clock and file access.
const clock = systemClock();
const files = nodeFiles(clock);

const KEY = 'e2e-blip-key';
const REVIEW_INTERVAL_S = 2;
/** Longer than one review interval plus the review timeout (half the interval): reviews fail meanwhile. */
const STOP_MS = 4_000;
const group = { group: 'portcullis.dev', version: 'v1alpha1' };

const sample = (text: string, result: string): number => Number(new RegExp(`portcullis_sidecar_identity_reviews_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

describe('a cluster-mode sidecar while the API server is stopped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-blip-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  let upstream: Upstream;
  let sidecar: Sidecar;

  beforeAll(async () => {
    const ns = await createNamespace('blip');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    const pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent' });
    for (const d of ['identity', 'api', 'sources/api']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'identity/token'), await requestPodBoundToken(pod, ['portcullis'], 3600));
    writeFileSync(join(dir, 'api/token'), await requestPodBoundToken(pod, [clusterEnv().serviceAccountIssuer], 3600));
    writeFileSync(join(dir, 'api/ca.crt'), Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
    writeFileSync(join(dir, 'sources/api/key'), KEY);
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'credentialsources',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api' },
        spec: { type: 'http', port, http: { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api-key', key: 'key' } } } },
    });
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent' },
        spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'read', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/**'] }] } },
    });
    const options = parseOptions(
      ['--namespace', ns, '--api-server', clusterEnv().server, '--api-token-file', join(dir, 'api/token'), '--api-ca-file', join(dir, 'api/ca.crt'),
        '--identity-token-file', join(dir, 'identity/token'), '--secrets-dir', join(dir, 'sources'), '--admin-address', '127.0.0.1', '--admin-port', '0',
        '--listen-addresses', '127.0.0.1', '--identity-review-interval-seconds', String(REVIEW_INTERVAL_S)],
      {},
    );
    sidecar = buildSidecar(options, {
      clock,
      files,
      log: createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })),
      audit: { write: () => undefined },
      kube: await sidecarKubeClient(options.mode.kind === 'cluster' ? options.mode.api : { kind: 'kubeconfig', path: '' }, files),
      defaultMetrics: false,
    });
    await sidecar.start();
    const deadline = Date.now() + 15_000;
    while (!(sidecar.readiness().ready && sidecar.ports().includes(port))) {
      if (Date.now() > deadline) throw new Error(`sidecar not ready: ${sidecar.readiness().reasons.join('; ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving and stays ready through failed reviews, then reviews successfully again', async () => {
    const before = await sidecar.metrics.registry.metrics();
    const statuses: number[] = [];
    const unready: string[] = [];
    await withApiServerStopped(async () => {
      const end = Date.now() + STOP_MS;
      while (Date.now() < end) {
        statuses.push((await fetch(`http://127.0.0.1:${port}/v1/models`)).status);
        const admin = await fetch(`http://127.0.0.1:${sidecar.adminAddress().port}/readyz`);
        if (admin.status !== 200) unready.push(await admin.text());
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    const during = await sidecar.metrics.registry.metrics();
    expect(statuses.length).toBeGreaterThan(10);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(unready).toEqual([]);
    // Reviews did fail while it was stopped (timeouts), and the identity was kept regardless.
    expect(sample(during, 'timeout')).toBeGreaterThan(sample(before, 'timeout'));
    expect(during).toMatch(/portcullis_sidecar_identity_verified 1/);

    const deadline = Date.now() + 20_000;
    let after = during;
    while (sample(after, 'verified') <= sample(during, 'verified') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await sidecar.metrics.registry.metrics();
    }
    expect(sample(after, 'verified')).toBeGreaterThan(sample(during, 'verified'));
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(200);
  }, 40_000);
});
