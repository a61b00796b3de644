// GitHub App installation tokens end to end: the shipped sidecar in cluster mode signs the app JWT with
// the private key from the source's Secret volume, mints installation tokens at a GitHub stand-in that
// verifies the JWT with the App's public key and enforces the narrowed repositories and permissions, and
// @octokit/rest (the app, with only the GITHUB_TOKEN placeholder) calls the API through the sidecar.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { startGithubStandIn, testPki, type GithubStandIn } from '@portcullis/sidecar/testing';
import { testPort } from '../support/test-ports.js';
import { mountSidecarTokens, startClusterSidecar, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount } from '../support/workloads.js';
import { until } from '../vault/cluster-sidecar.js';

const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const APP = '123456';
const pki = testPki();
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** The short source's tokens live 20 s: inside the 5-minute refresh margin, and they run out during the test. */
const SHORT_LIFETIME_SECONDS = 20;

describe('githubApp: installation tokens minted for the pod, used by @octokit/rest through the sidecar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-github-'));
  const ports = { narrow: testPort(), short: testPort(), beyond: testPort() };
  const logs: string[] = [];
  const audit: string[] = [];
  let ns: string;
  let github: GithubStandIn;
  let shortGithub: GithubStandIn;
  let sidecar: ClusterSidecar;

  const octokit = (port: number): Octokit => new Octokit({ auth: PLACEHOLDER_CREDENTIAL, baseUrl: `http://127.0.0.1:${port}`, request: { retries: 0 } });

  async function addSource(name: string, port: number, upstream: GithubStandIn, app: Record<string, unknown>): Promise<void> {
    mkdirSync(join(dir, 'sources', name), { recursive: true });
    writeFileSync(join(dir, 'sources', name, 'private-key.pem'), key.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'credentialsources',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name }, spec: { type: 'http', port, http: {
        preset: 'github', upstream: upstream.url, caBundle: pki.ca.certPem,
        githubApp: { appId: APP, installationId: 42, privateKeySecretRef: { name: 'reports-app', key: 'private-key.pem' }, ...app },
      } } },
    });
  }

  beforeAll(async () => {
    const installations = [{ id: 42, appId: APP, owner: 'acme', repositories: ['reports', 'billing'], permissions: { contents: 'read', issues: 'write', metadata: 'read' } } as const];
    github = await startGithubStandIn({ pki, apps: { [APP]: key.publicKey }, installations });
    shortGithub = await startGithubStandIn({ pki, apps: { [APP]: key.publicKey }, installations, tokenLifetimeSeconds: SHORT_LIFETIME_SECONDS });
    ns = await createNamespace('github');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    const pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent' });
    await mountSidecarTokens(dir, pod, 3600);
    await addSource('github', ports.narrow, github, { repositories: ['reports'], permissions: { issues: 'write' } });
    await addSource('github-short', ports.short, shortGithub, { repositories: ['reports'], permissions: { metadata: 'read' } });
    await addSource('github-beyond', ports.beyond, github, { permissions: { contents: 'write' } });
    await kubeConfig().makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...group, namespace: ns, plural: 'egresspolicies',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'repos', effect: 'Allow', source: '*', paths: ['/repos/**'] }] } },
    });
    sidecar = await startClusterSidecar({
      ns, dir, port: ports.narrow, readyTimeoutMs: 60_000, args: ['--log-level', 'debug'],
      log: { write: (line) => void logs.push(line) },
      audit: { write: (line) => void audit.push(line) },
    });
  }, 180_000);

  afterAll(async () => {
    await sidecar?.stop();
    await github?.close();
    await shortGithub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Octokit reads the repository and files an issue with only the placeholder token', async () => {
    const repo = await octokit(ports.narrow).rest.repos.get({ owner: 'acme', repo: 'reports' });
    expect(repo.data.full_name).toBe('acme/reports');
    const issue = await octokit(ports.narrow).rest.issues.create({ owner: 'acme', repo: 'reports', title: 'Q4 numbers are in' });
    expect(issue.status).toBe(201);
  });

  it('the token is narrowed: another repository of the installation is not reachable with it', async () => {
    const err = await octokit(ports.narrow).rest.repos.get({ owner: 'acme', repo: 'billing' }).then(() => undefined, (e: unknown) => e as { status: number });
    expect(err?.status).toBe(404);
    expect(github.mints.filter((m) => m.status === 201)[0]).toMatchObject({ installationId: 42, repositories: ['reports'], permissions: { issues: 'write' } });
  });

  it('concurrent calls share one installation token: one mint for the source', async () => {
    await Promise.all(Array.from({ length: 10 }, () => octokit(ports.narrow).rest.issues.listForRepo({ owner: 'acme', repo: 'reports' })));
    expect(github.mints.filter((m) => m.status === 201 && m.permissions?.issues === 'write')).toHaveLength(1);
  });

  it(`refreshes a token across its expiry (${SHORT_LIFETIME_SECONDS} s) without a failed call`, async () => {
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < (SHORT_LIFETIME_SECONDS + 8) * 1000) {
      const r = await octokit(ports.short).rest.repos.get({ owner: 'acme', repo: 'reports' });
      expect(r.status).toBe(200);
      calls++;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(calls).toBeGreaterThan(20);
    expect(shortGithub.mints.filter((m) => m.status === 201).length).toBeGreaterThanOrEqual(2);
    expect(shortGithub.calls.every((c) => c.status === 200)).toBe(true);
  }, 90_000);

  it('answers GITHUB_APP_TOKEN_REFUSED when the source asks for more than the installation was granted', async () => {
    const res = await until('the over-reaching source is refused', 20_000, async () => {
      const r = await fetch(`http://127.0.0.1:${ports.beyond}/repos/acme/reports`).catch(() => undefined);
      const body = r ? ((await r.json()) as { error?: { code?: string; message?: string } }) : undefined;
      return body?.error?.code === 'GITHUB_APP_TOKEN_REFUSED' ? { status: r?.status, message: body.error.message ?? '' } : undefined;
    });
    expect(res.status).toBe(503);
    expect(res.message).toMatch(/HTTP 422: The permissions requested are not granted/);
  });

  it('logs one line per mint naming the pod, and never a token or the key in logs, audit lines or metrics', async () => {
    for (const m of [...github.mints, ...shortGithub.mints]) expect(m.status === 201 || m.status === 422).toBe(true);
    const mintLines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'token minted' || l.msg === 'token minted again');
    expect(mintLines).toHaveLength([...github.mints, ...shortGithub.mints].filter((m) => m.status === 201).length);
    for (const l of mintLines) expect(l).toMatchObject({ origin: 'githubApp', workload: `${ns}/agent/agent-0`, githubAppId: APP });
    const text = [...logs, ...audit, await sidecar.metrics()].join('\n');
    expect(text).not.toMatch(/ghs_[A-Za-z0-9]{20,}/);
    expect(text).not.toContain('PRIVATE KEY');
  });
});
