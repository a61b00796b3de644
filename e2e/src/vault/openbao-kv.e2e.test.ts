// The sidecar in cluster mode with http sources whose API key lives in a real OpenBao: Kubernetes auth
// (OpenBao reviews the pod's projected token against the e2e kube-apiserver), KV v2 read, rotation,
// an OpenBao outage and restart, a role that does not bind the pod, OpenBao's audit log naming the pod,
// and nothing OpenBao returns in the sidecar's logs, audit lines, metrics or answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import type { ClusterSidecar } from '../support/cluster-sidecar.js';
import { testPort } from '../support/test-ports.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { configureKubernetesAuth, grantKvRead, startOpenBao, WORKLOAD_HEADER, type OpenBao } from '../support/openbao.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount } from '../support/workloads.js';
import { startVaultSidecar, until } from './cluster-sidecar.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };
/** The Vault token TTL the role grants: short, so the outage test sees it run out. */
const TOKEN_TTL_SECONDS = 10;
const POLL_INTERVAL_SECONDS = 5;


describe('http sources with the API key in OpenBao (Kubernetes auth, KV v2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-vault-'));
  let logs: string[] = [];
  let audit: string[] = [];
  const keys = { v1: `sk-vault-first-${Date.now()}`, v2: `sk-vault-second-${Date.now()}` };
  const port = testPort();
  const deniedPort = testPort();
  let ns: string;
  let bao: OpenBao;
  let upstream: Upstream;
  let sidecar: ClusterSidecar;
  let podJwt: string;

  /** Every answer the app got, headers and body, to check that none carries what Vault returned. */
  const answers: string[] = [];
  const call = async (p = port): Promise<{ status: number; body: string }> => {
    const res = await fetch(`http://127.0.0.1:${p}/v1/things`, { headers: { authorization: 'Bearer portcullis-placeholder' } });
    const body = await res.text();
    answers.push(JSON.stringify([...res.headers]) + body);
    return { status: res.status, body };
  };
  const lastKey = (): string | undefined => upstream.received.at(-1)?.headers.authorization;

  beforeAll(async () => {
    bao = await startOpenBao();
    await configureKubernetesAuth(bao);
    ns = await createNamespace('vault');
    await createServiceAccount(ns, 'reports');
    await grantSidecarAccess(ns, 'reports');
    const pod = await createPod(ns, 'reports-0', { serviceAccount: 'reports' });
    await grantKvRead(bao, { role: 'reports', namespace: ns, serviceAccount: 'reports', path: 'teams/reports/api', tokenTtlSeconds: TOKEN_TTL_SECONDS, tokenMaxTtlSeconds: 600 });
    // A role for another service account: this pod must be refused by it.
    await grantKvRead(bao, { role: 'billing', namespace: ns, serviceAccount: 'billing', path: 'teams/reports/api', tokenTtlSeconds: 60 });
    await bao.putKv('teams/reports/api', { key: keys.v1 });

    const valid = new Set([keys.v1, keys.v2].map((k) => `Bearer ${k}`));
    upstream = await startUpstream(testPki(), (req) => valid.has(req.headers.authorization ?? ''), (_req, res) => json(res, 200, { ok: true }));

    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    const vault = (role: string): object => ({ address: bao.address, allowPlaintext: true, auth: { kubernetes: { role } }, kv: { path: 'teams/reports/api', field: 'key', pollIntervalSeconds: POLL_INTERVAL_SECONDS } });
    for (const [name, p, role] of [['api', port, 'reports'], ['denied', deniedPort, 'billing']] as const) {
      await custom.createNamespacedCustomObject({
        ...group, namespace: ns, plural: 'credentialsources',
        body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name },
          spec: { type: 'http', port: p, http: { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, vault: vault(role) } } },
      });
    }
    await custom.createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'reports' },
        spec: { workloads: { serviceAccounts: ['reports'] }, rules: [{ name: 'all', effect: 'Allow', source: '*', paths: ['/**'] }] } },
    });

    const started = await startVaultSidecar(pod, dir, [port, deniedPort]);
    ({ sidecar, logs, audit } = started);
    podJwt = started.vaultJwt;
    // Until the sidecar has listed the sources its port refuses connections: that is "not yet", not a failure.
    await until('the sidecar serves the Vault source', 20_000, () => call().then((r) => (r.status === 200 ? true : undefined), () => undefined));
  }, 120_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    await bao?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('injects the key read from OpenBao; the app gets the upstream answer and never the key', async () => {
    const res = await call();
    expect(res).toEqual({ status: 200, body: '{"ok":true}' });
    expect(lastKey()).toBe(`Bearer ${keys.v1}`);
  });

  it(`uses a rotated key within the poll interval (${POLL_INTERVAL_SECONDS} s)`, async () => {
    const written = Date.now();
    await bao.putKv('teams/reports/api', { key: keys.v2 });
    await until('the new key is injected', (POLL_INTERVAL_SECONDS + 2) * 1000, async () => {
      await call();
      return lastKey() === `Bearer ${keys.v2}` ? true : undefined;
    });
    expect(Date.now() - written).toBeLessThanOrEqual((POLL_INTERVAL_SECONDS + 2) * 1000);
  });

  it("names the pod in OpenBao's audit log: namespace and service account verified by the login, the pod in the audited header", () => {
    const entries = bao.auditEntries() as { type: string; auth?: { metadata?: Record<string, string> }; request?: { path?: string; headers?: Record<string, string[]> } }[];
    const login = entries.find((e) => e.type === 'response' && e.request?.path === 'auth/kubernetes/login' && e.auth?.metadata?.service_account_namespace === ns);
    expect(login?.auth?.metadata).toMatchObject({ role: 'reports', service_account_name: 'reports', service_account_namespace: ns });
    const reads = entries.filter((e) => e.request?.path === 'secret/data/teams/reports/api' && e.auth?.metadata?.service_account_namespace === ns);
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.request?.headers?.[WORKLOAD_HEADER.toLowerCase()]).toEqual([`${ns}/reports/reports-0`]);
  });

  it('refuses with VAULT_PERMISSION_DENIED when the Vault role does not bind the pod', async () => {
    const res = await call(deniedPort);
    expect(res.status).toBe(503);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('VAULT_PERMISSION_DENIED');
    expect(body.error.message).toMatch(/role billing/);
    expect((await sidecar.readiness()).body.credentials.join('\n')).toMatch(/source denied: VAULT_PERMISSION_DENIED/);
  });

  it('keeps working on the valid token while OpenBao is down, then fails closed with VAULT_UNAVAILABLE, then recovers after a restart', async () => {
    await bao.stop();
    const stoppedAt = Date.now();
    expect((await call()).status).toBe(200);
    const closed = await until('calls fail closed', (TOKEN_TTL_SECONDS + 5) * 1000, async () => {
      const res = await call();
      return res.status === 503 ? res : undefined;
    });
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual((TOKEN_TTL_SECONDS + 5) * 1000);
    expect((JSON.parse(closed.body) as { error: { code: string } }).error.code).toBe('VAULT_UNAVAILABLE');
    expect((await sidecar.readiness()).body.credentials.join('\n')).toMatch(/source api: VAULT_UNAVAILABLE/);

    await bao.start();
    await until('calls succeed again without a sidecar restart', 45_000, async () => ((await call()).status === 200 ? true : undefined));
    expect(lastKey()).toBe(`Bearer ${keys.v2}`);
  }, 90_000);

  it('never writes the key, a Vault token or the pod token into a log line, an audit line, a metric or an answer to the app', async () => {
    const metrics = await sidecar.metrics();
    const text = [...logs, ...audit, metrics, ...answers].join('\n');
    expect(answers.some((a) => a.includes('VAULT_UNAVAILABLE'))).toBe(true);
    expect(logs.length).toBeGreaterThan(0);
    expect(text).toContain('credential loaded from Vault');
    for (const secret of [keys.v1, keys.v2, podJwt]) expect(text).not.toContain(secret);
    // OpenBao's service tokens are "s." and 24 characters; lease IDs name their path.
    expect(text).not.toMatch(/\bs\.[A-Za-z0-9]{24}\b/);
    expect(metrics).toMatch(/portcullis_sidecar_vault_requests_total\{source="api",operation="kv_metadata",result="2xx"\} [1-9]/);
  });
});
