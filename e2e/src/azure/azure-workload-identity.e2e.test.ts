// Azure workload identity end to end: the shipped sidecar in cluster mode exchanges the pod's projected
// token (minted by the e2e kube-apiserver with the audience the source names, mounted where the webhook
// mounts it) at an Entra stand-in that verifies it against the kube-apiserver's own OIDC discovery and
// JWKS, and injects the Entra token into calls that the official @azure/storage-blob SDK makes to
// Azurite (Microsoft's Storage emulator, OAuth on: it refuses calls without an Entra-issued, unexpired
// Storage token).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AnonymousCredential, BlobServiceClient, RestError, type StoragePipelineOptions } from '@azure/storage-blob';
import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { originTokenOf, resolveSource, type CredentialSource } from '@portcullis/shared';
import { serviceAccountSubject, startEntraStandIn, testPki, type EntraStandIn } from '@portcullis/sidecar/testing';
import { testPort } from '../support/test-ports.js';
import { startAzurite, type Azurite } from '../support/azurite.js';
import { startClusterSidecar, mountSidecarTokens, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { kubeOidcVerifier } from '../support/kube-oidc.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from '../support/workloads.js';
import { until } from '../vault/cluster-sidecar.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = { blob: '0d4a1c34-3b1e-4f5f-9d7c-0a9c6e8e1a11', short: '1e5b2d45-4c2f-4a6a-8e8d-1b0d7f9f2b22', late: '2f6c3e56-5d3a-4b7b-9f9e-2c1e8a0a3c33' } as const;
/** The short-lived client's tokens live 20 s: well inside the 5-minute refresh margin, and they run out during the test. */
const SHORT_LIFETIME_SECONDS = 20;
const pki = testPki();

describe('azureWorkloadIdentity: Entra tokens for the pod, injected into @azure/storage-blob calls to Azurite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-azure-'));
  const ports = { blob: testPort(), short: testPort(), wrongAudience: testPort(), late: testPort() };
  const logs: string[] = [];
  const audit: string[] = [];
  const podTokens: string[] = [];
  let ns: string;
  let pod: V1Pod;
  let entra: EntraStandIn;
  let azurite: Azurite;
  let sidecar: ClusterSidecar;

  const blobClient = (port: number, opts: StoragePipelineOptions = {}): BlobServiceClient =>
    new BlobServiceClient(`http://127.0.0.1:${port}`, new AnonymousCredential(), opts);
  /** A refusal in Azure Storage's XML shape (azure-storage preset): the Portcullis code leads its Message. */
  const errorOf = async (port: number): Promise<{ status: number; azureCode: string | null; code: string | undefined; message: string }> => {
    const res = await fetch(`http://127.0.0.1:${port}/?comp=list`, { headers: { 'x-ms-version': '2025-01-05' } });
    const message = /<Message>([^<]*)<\/Message>/.exec(await res.text())?.[1] ?? '';
    return { status: res.status, azureCode: res.headers.get('x-ms-error-code'), code: /^Portcullis ([A-Z_]+):/.exec(message)?.[1], message };
  };

  function spec(client: string, extra: Record<string, unknown> = {}): CredentialSource['spec'] {
    return {
      type: 'http', port: 0,
      http: { preset: 'azure-storage', upstream: azurite.accountUrl, caBundle: pki.ca.certPem, azureWorkloadIdentity: { tenantId: TENANT, clientId: client, authorityHost: entra.url, caBundle: pki.ca.certPem, ...extra } },
    };
  }

  /** Creates the source and mounts the pod's token of the audience its origin names, as the webhook does. */
  async function addSource(name: string, port: number, s: CredentialSource['spec']): Promise<void> {
    const body: CredentialSource = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name, namespace: ns }, spec: { ...s, port } };
    const resolved = resolveSource(body);
    if (!resolved.ok) throw new Error(resolved.problems[0]?.message);
    const audience = originTokenOf(resolved.source)?.audience;
    if (audience === undefined) throw new Error(`source ${name} needs no origin token`);
    const token = await requestPodBoundToken(pod, [audience], 3600);
    podTokens.push(token);
    writeFileSync(join(dir, 'origin-tokens', name), token);
    await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...group, namespace: ns, plural: 'credentialsources', body });
  }

  beforeAll(async () => {
    const oidc = await kubeOidcVerifier();
    ns = await createNamespace('azure');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent' });
    const subject = serviceAccountSubject(ns, 'agent');
    const audience = 'api://AzureADTokenExchange';
    entra = await startEntraStandIn({
      pki, tenantId: TENANT, tokenLifetimeSeconds: 3600, verifyAssertion: oidc.verify,
      federated: [
        { clientId: CLIENT.blob, issuer: oidc.issuer, subject, audience },
        { clientId: CLIENT.short, issuer: oidc.issuer, subject, audience, tokenLifetimeSeconds: SHORT_LIFETIME_SECONDS },
        { clientId: CLIENT.late, issuer: oidc.issuer, subject, audience },
      ],
    });
    azurite = await startAzurite(pki);
    mkdirSync(join(dir, 'origin-tokens'), { recursive: true });
    await mountSidecarTokens(dir, pod, 3600);
    await addSource('blob', ports.blob, spec(CLIENT.blob));
    await addSource('blob-short', ports.short, spec(CLIENT.short));
    // The federated credential accepts api://AzureADTokenExchange only.
    await addSource('blob-wrong-audience', ports.wrongAudience, spec(CLIENT.blob, { tokenAudience: 'api://SomethingElse' }));
    await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'blob', effect: 'Allow', source: '*', paths: ['/**'] }] } },
    });
    sidecar = await startClusterSidecar({
      ns, dir, port: ports.blob, readyTimeoutMs: 60_000,
      args: ['--origin-tokens-dir', join(dir, 'origin-tokens'), '--log-level', 'debug'],
      log: { write: (line) => void logs.push(line) },
      audit: { write: (line) => void audit.push(line) },
    });
  }, 180_000);

  afterAll(async () => {
    await sidecar?.stop();
    await entra?.close();
    await azurite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Azurite refuses a call that carries no Entra token (the peer checks what it receives)', async () => {
    const status = await new Promise<{ code: number; error: string }>((resolve, reject) => {
      request(`${azurite.accountUrl}?comp=list`, { ca: pki.ca.certPem, headers: { 'x-ms-version': '2025-01-05', authorization: 'Bearer not-an-entra-token' } }, (res) => {
        res.resume();
        resolve({ code: res.statusCode ?? 0, error: String(res.headers['x-ms-error-code'] ?? '') });
      }).on('error', reject).end();
    });
    expect(status).toEqual({ code: 403, error: 'AuthenticationFailed' });
  });

  it('the Blob SDK creates a container, uploads and reads a blob through the sidecar with no credential of its own', async () => {
    const service = blobClient(ports.blob);
    const container = service.getContainerClient('reports');
    await container.create();
    await container.getBlockBlobClient('q4.txt').upload('quarterly numbers', 17);
    const body = await container.getBlobClient('q4.txt').downloadToBuffer();
    expect(body.toString()).toBe('quarterly numbers');
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    expect(names).toEqual(['q4.txt']);
  });

  it('minted once for the source, though many calls ran and the first ones came together', async () => {
    const service = blobClient(ports.blob);
    await Promise.all(Array.from({ length: 8 }, (_, i) => service.getContainerClient('reports').getBlockBlobClient(`c-${i}.txt`).upload('x', 1)));
    const mints = entra.mints.filter((m) => m.clientId === CLIENT.blob && m.status === 200);
    expect(mints).toHaveLength(1);
    expect(mints[0]?.subject).toBe(serviceAccountSubject(ns, 'agent'));
    expect(mints[0]?.scope.split(' ')).toContain('https://storage.azure.com/.default');
  });

  it(`refreshes a token across its expiry (${SHORT_LIFETIME_SECONDS} s) without a failed call`, async () => {
    const service = blobClient(ports.short, { retryOptions: { maxTries: 1 } });
    await service.getContainerClient('short').create();
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < (SHORT_LIFETIME_SECONDS + 8) * 1000) {
      await service.getContainerClient('short').getBlockBlobClient(`t-${calls}.txt`).upload('y', 1);
      calls++;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(calls).toBeGreaterThan(20);
    const mints = entra.mints.filter((m) => m.clientId === CLIENT.short && m.status === 200);
    expect(mints.length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('answers AZURE_TOKEN_REFUSED when Entra refuses the pod token for its audience, naming AADSTS700212', async () => {
    const res = await until('the wrong-audience source is refused', 20_000, async () => {
      const r = await errorOf(ports.wrongAudience);
      return r.code === 'AZURE_TOKEN_REFUSED' ? r : undefined;
    });
    expect(res).toMatchObject({ status: 503, azureCode: 'ServerBusy' });
    expect(res.message).toMatch(/AADSTS700212/);
    // The Blob SDK reads it as a storage error of its own: RestError with Azure's code, our explanation.
    const err = await blobClient(ports.wrongAudience, { retryOptions: { maxTries: 1 } }).getProperties().then(() => undefined, (e: unknown) => (e instanceof RestError ? e : undefined));
    expect(err).toMatchObject({ statusCode: 503, code: 'ServerBusy' });
    expect(err?.message).toMatch(/^Portcullis AZURE_TOKEN_REFUSED: .*AADSTS700212/);
    expect((await sidecar.readiness()).body.credentials.join('\n')).toMatch(/blob-wrong-audience: AZURE_TOKEN_REFUSED/);
  });

  it('answers AZURE_TOKEN_REFUSED (AADSTS700024) when Entra sees the pod token as expired', async () => {
    entra.clockOffsetMs = 2 * 3600_000;
    try {
      await addSource('blob-late', ports.late, spec(CLIENT.late));
      const res = await until('the late source is served and refused', 30_000, async () => {
        const r = await errorOf(ports.late).catch(() => undefined);
        return r?.code === 'AZURE_TOKEN_REFUSED' ? r : undefined;
      });
      expect(res.message).toMatch(/AADSTS700024/);
    } finally {
      entra.clockOffsetMs = 0;
    }
  }, 60_000);

  it('logs one line per mint naming the pod, and never a token in logs, audit lines or metrics', async () => {
    const mintLines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'token minted' || l.msg === 'token minted again');
    const okMints = entra.mints.filter((m) => m.status === 200).length;
    expect(mintLines).toHaveLength(okMints);
    for (const l of mintLines) expect(l).toMatchObject({ origin: 'azureWorkloadIdentity', workload: `${ns}/agent/agent-0` });
    const text = [...logs, ...audit, await sidecar.metrics()].join('\n');
    for (const t of podTokens) expect(text).not.toContain(t);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
