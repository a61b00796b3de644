// GCP workload identity federation end to end: the shipped sidecar in cluster mode exchanges the pod's
// projected token (minted by the e2e kube-apiserver with the audience the source names, mounted where the
// webhook mounts it) at a Google STS stand-in that verifies it against the kube-apiserver's own OIDC
// discovery and JWKS, then impersonates a service account at an IAM Credentials stand-in that accepts only
// the federated tokens STS issued, and injects the service account's token into the calls the official
// @google-cloud/storage client makes to a Cloud Storage JSON API stand-in that accepts only those tokens.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, Storage } from '@google-cloud/storage';
import { CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { originTokenOf, resolveSource, type CredentialSource } from '@portcullis/shared';
import { federatedPrincipal, serviceAccountSubject, startGoogleStandIn, testPki, type GoogleStandIn } from '@portcullis/sidecar/testing';
import { testPort } from '../support/test-ports.js';
import { startClusterSidecar, mountSidecarTokens, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { startGcsUpstream, type GcsUpstream } from '../support/gcs-upstream.js';
import { kubeOidcVerifier } from '../support/kube-oidc.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from '../support/workloads.js';
import { until } from '../vault/cluster-sidecar.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const PROVIDER = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/prod/providers/e2e-cluster';
const ACCOUNT = { main: 'reports@my-project.iam.gserviceaccount.com', short: 'short-lived@my-project.iam.gserviceaccount.com', late: 'late@my-project.iam.gserviceaccount.com' } as const;
/** The short-lived account's tokens live 20 s: well inside the 5-minute refresh margin, and they run out during the test. */
const SHORT_LIFETIME_SECONDS = 20;
const pki = testPki();

describe('gcpWorkloadIdentity: Google tokens for the pod, injected into @google-cloud/storage calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-gcp-'));
  const ports = { gcs: testPort(), short: testPort(), wrongAudience: testPort(), late: testPort() };
  const logs: string[] = [];
  const audit: string[] = [];
  const podTokens: string[] = [];
  let ns: string;
  let pod: V1Pod;
  let google: GoogleStandIn;
  let gcs: GcsUpstream;
  let sidecar: ClusterSidecar;

  /** The app: the Cloud Storage client pointed at the source (the gcs preset's GCS_API_ENDPOINT), no credential of its own. */
  const storage = (port: number, retry = true): Storage =>
    new Storage({ apiEndpoint: `http://127.0.0.1:${port}`, projectId: 'my-project', retryOptions: { autoRetry: retry } });

  function spec(email: string, extra: Record<string, unknown> = {}): CredentialSource['spec'] {
    return {
      type: 'http', port: 0,
      http: { preset: 'gcs', upstream: gcs.url, caBundle: pki.ca.certPem, gcpWorkloadIdentity: { audience: PROVIDER, serviceAccountEmail: email, tokenUrl: google.tokenUrl, iamCredentialsUrl: google.url, caBundle: pki.ca.certPem, ...extra } },
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

  /** A refusal in Google's JSON error shape (gcs preset): the Portcullis code is the reason. */
  const errorOf = async (port: number): Promise<{ status: number; code: string | undefined; message: string }> => {
    const res = await fetch(`http://127.0.0.1:${port}/storage/v1/b/reports/o`);
    const body = (await res.json()) as { error?: { message?: string; errors?: { reason?: string }[] } };
    return { status: res.status, code: body.error?.errors?.[0]?.reason, message: body.error?.message ?? '' };
  };

  beforeAll(async () => {
    const oidc = await kubeOidcVerifier();
    ns = await createNamespace('gcp');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent' });
    const principal = federatedPrincipal(PROVIDER, serviceAccountSubject(ns, 'agent'));
    google = await startGoogleStandIn({
      pki, tokenLifetimeSeconds: 3600, verifySubjectToken: oidc.verify,
      providers: [{ name: PROVIDER, issuer: oidc.issuer }],
      serviceAccounts: [
        { email: ACCOUNT.main, members: [principal] },
        { email: ACCOUNT.short, members: [principal], tokenLifetimeSeconds: SHORT_LIFETIME_SECONDS },
        { email: ACCOUNT.late, members: [principal] },
      ],
    });
    gcs = await startGcsUpstream(pki, (t) => google.accessToken(t));
    mkdirSync(join(dir, 'origin-tokens'), { recursive: true });
    await mountSidecarTokens(dir, pod, 3600);
    await addSource('gcs', ports.gcs, spec(ACCOUNT.main));
    await addSource('gcs-short', ports.short, spec(ACCOUNT.short));
    // The provider allows its default audience (https: + the provider name) only.
    await addSource('gcs-wrong-audience', ports.wrongAudience, spec(ACCOUNT.main, { tokenAudience: 'https://example.com/not-the-provider' }));
    await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'gcs', effect: 'Allow', source: '*', paths: ['/**'] }] } },
    });
    sidecar = await startClusterSidecar({
      ns, dir, port: ports.gcs, readyTimeoutMs: 60_000,
      args: ['--origin-tokens-dir', join(dir, 'origin-tokens'), '--log-level', 'debug'],
      log: { write: (line) => void logs.push(line) },
      audit: { write: (line) => void audit.push(line) },
    });
  }, 180_000);

  afterAll(async () => {
    await sidecar?.stop();
    await google?.close();
    await gcs?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the Cloud Storage stand-in refuses a call without a Google-issued token (the peer checks what it receives)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      request(`${gcs.url}/storage/v1/b/reports/o`, { ca: pki.ca.certPem, headers: { authorization: 'Bearer ya29.not-issued-by-google' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(status).toBe(401);
    expect(gcs.calls).toEqual([{ method: 'GET', path: '/storage/v1/b/reports/o', status: 401, principal: undefined }]);
  });

  it('@google-cloud/storage uploads, lists and downloads through the sidecar with no credential of its own, as the service account', async () => {
    const bucket = storage(ports.gcs).bucket('reports');
    await bucket.file('q4.txt').save('quarterly numbers', { resumable: false, contentType: 'text/plain' });
    const [body] = await bucket.file('q4.txt').download();
    expect(body.toString()).toBe('quarterly numbers');
    const [files] = await bucket.getFiles();
    expect(files.map((f) => f.name)).toEqual(['q4.txt']);
    const served = gcs.calls.filter((c) => c.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(3);
    for (const c of served) expect(c.principal).toBe(`serviceAccount:${ACCOUNT.main}`);
  });

  it('refuses an object name with "/" (the JSON API sends it as %2F) with PATH_REJECTED in Google error shape: a known limit', async () => {
    const err = await storage(ports.gcs, false).bucket('reports').file('q3/summary.txt').download().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    // A download is a stream: the client keeps the status and the body's message, not errors[].
    expect(err).toMatchObject({ code: 400 });
    expect((err as ApiError).message).toMatch(/encoded slash/);
    const res = await fetch(`http://127.0.0.1:${ports.gcs}/storage/v1/b/reports/o/q3%2Fsummary.txt?alt=media`);
    expect([res.status, ((await res.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason]).toEqual([400, 'PATH_REJECTED']);
    expect(gcs.calls.some((c) => c.path.includes('q3'))).toBe(false);
  });

  it('minted once for the source, though many calls ran and the first ones came together', async () => {
    const bucket = storage(ports.gcs).bucket('reports');
    await Promise.all(Array.from({ length: 8 }, (_, i) => bucket.file(`c-${i}.txt`).save('x', { resumable: false })));
    // One exchange (STS, then IAM Credentials) for the source, made when it opened; every call used its token.
    const iam = google.calls.filter((c) => c.service === 'iam' && c.account === ACCOUNT.main);
    expect(iam).toEqual([{ service: 'iam', status: 200, subject: federatedPrincipal(PROVIDER, serviceAccountSubject(ns, 'agent')), scopes: ['https://www.googleapis.com/auth/cloud-platform'], account: ACCOUNT.main }]);
    expect(gcs.calls.filter((c) => c.principal === `serviceAccount:${ACCOUNT.main}` && c.status === 200).length).toBeGreaterThanOrEqual(11);
    const mintLines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => (l.msg === 'token minted' || l.msg === 'token minted again') && l.source === 'gcs');
    expect(mintLines).toHaveLength(1);
  });

  it(`refreshes a token across its expiry (${SHORT_LIFETIME_SECONDS} s) without a failed call`, async () => {
    const bucket = storage(ports.short, false).bucket('short');
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < (SHORT_LIFETIME_SECONDS + 8) * 1000) {
      await bucket.file(`t-${calls}.txt`).save('y', { resumable: false });
      calls++;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(calls).toBeGreaterThan(20);
    const mintLines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => (l.msg === 'token minted' || l.msg === 'token minted again') && l.source === 'gcs-short');
    expect(mintLines.length).toBeGreaterThanOrEqual(2);
    expect(gcs.calls.filter((c) => c.principal === `serviceAccount:${ACCOUNT.short}` && c.status !== 200)).toHaveLength(0);
    expect(gcs.calls.filter((c) => c.path.includes('/b/short/') && c.status !== 200)).toHaveLength(0);
  }, 90_000);

  it('answers GCP_TOKEN_REFUSED in Google error shape when STS refuses the pod token for its audience', async () => {
    const res = await until('the wrong-audience source is refused', 20_000, async () => {
      const r = await errorOf(ports.wrongAudience);
      return r.code === 'GCP_TOKEN_REFUSED' ? r : undefined;
    });
    expect(res.status).toBe(503);
    expect(res.message).toMatch(/Google STS refused .*invalid_grant: The audience in ID Token \[https:\/\/example\.com\/not-the-provider\] does not match/);
    // The Storage client reads it as an ApiError of its own: the status, our explanation, our reason.
    const err = await storage(ports.wrongAudience, false).bucket('reports').file('q4.txt').download().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 503 });
    expect((err as ApiError).message).toMatch(/GCP_TOKEN_REFUSED|Google STS refused/);
    expect((await sidecar.readiness()).body.credentials.join('\n')).toMatch(/gcs-wrong-audience: GCP_TOKEN_REFUSED/);
  });

  it('answers GCP_TOKEN_REFUSED when STS sees the pod token as expired', async () => {
    google.clockOffsetMs = 2 * 3600_000;
    try {
      await addSource('gcs-late', ports.late, spec(ACCOUNT.late));
      const res = await until('the late source is served and refused', 30_000, async () => {
        const r = await errorOf(ports.late).catch(() => undefined);
        return r?.code === 'GCP_TOKEN_REFUSED' ? r : undefined;
      });
      expect(res.message).toMatch(/ID Token expired/);
    } finally {
      google.clockOffsetMs = 0;
    }
  }, 60_000);

  it('logs one line per mint naming the pod, and never a token in logs, audit lines or metrics', async () => {
    const mintLines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'token minted' || l.msg === 'token minted again');
    expect(mintLines).toHaveLength(google.calls.filter((c) => c.service === 'iam' && c.status === 200).length);
    for (const l of mintLines) expect(l).toMatchObject({ origin: 'gcpWorkloadIdentity', workload: `${ns}/agent/agent-0`, gcpProvider: PROVIDER });
    const text = [...logs, ...audit, await sidecar.metrics()].join('\n');
    for (const t of podTokens) expect(text).not.toContain(t);
    expect(text).not.toMatch(/ya29\.[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
