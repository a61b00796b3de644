// The GitHub App origin against a loopback HTTPS GitHub stand-in that verifies the app JWT with the App's
// public key and enforces the installation's repositories and permissions.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { PortcullisError, resolveSource, type CredentialSource, type ResolvedGithubApp, type ResolvedHttpSource } from '@portcullis/shared';
import { systemClock, type Clock } from '../../io/clock.js';
import { nodeFiles } from '../../io/files.js';
import { createLogger } from '../../logger.js';
import { createMetrics } from '../../metrics.js';
import { startGithubStandIn, type GithubStandIn } from '../../test-support/github-stand-in.js';
import { testPki } from '../../test-support/upstream.js';
import type { Origin, OriginDeps } from '../origin.js';
import { appJwt, APP_JWT_BACKDATE_SECONDS } from './app-jwt.js';
import { openGithubApp } from './open.js';

const pki = testPki();
const APP = '123456';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs1 = (k: KeyObject): string => k.export({ type: 'pkcs1', format: 'pem' }).toString();

let github: GithubStandIn;
let dir: string;
let logs: string;
let opened: Origin<string>[] = [];
// Names unique across tests: a background mint of an earlier test's origin may still log into this one's.
let serial = 0;

function open(app: Record<string, unknown>, o: { pem?: string | undefined; clock?: Clock } = {}): Origin<string> {
  const name = `gh-${serial++}`;
  const cs: CredentialSource = {
    apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name },
    spec: { type: 'http', port: 18080, http: { preset: 'github', upstream: github.url, caBundle: pki.ca.certPem, githubApp: { appId: APP, installationId: 42, privateKeySecretRef: { name: 'app', key: 'private-key.pem' }, ...app } } },
  };
  const r = resolveSource(cs);
  if (!r.ok || r.source.type !== 'http') throw new Error(JSON.stringify(r));
  const resolved: ResolvedHttpSource = r.source;
  mkdirSync(join(dir, name), { recursive: true });
  const pem = 'pem' in o ? o.pem : pkcs1(keys.privateKey);
  if (pem !== undefined) writeFileSync(join(dir, name, 'private-key.pem'), pem);
  const clock = o.clock ?? systemClock();
  const deps: OriginDeps = {
    secretsDir: dir, credentialPollIntervalMs: 1000, stsTokenFile: '/nonexistent', vaultJwtFile: '/nonexistent', vaultTokenFile: undefined, originTokensDir: '/nonexistent',
    workload: { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-0' },
    metrics: createMetrics({ defaultMetrics: false }),
    log: createLogger('debug', { write: (s: string) => void (logs += s) }),
    clock, files: nodeFiles(clock),
  };
  const origin = openGithubApp(resolved, resolved.origin as ResolvedGithubApp, deps);
  opened.push(origin);
  return origin;
}

async function codeOf(p: unknown): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof PortcullisError ? `${err.code}: ${err.message}` : `not a PortcullisError: ${String(err)}`;
  }
  return 'resolved';
}

async function api(token: string, method: string, path: string): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    request(`${github.url}${path}`, { method, ca: pki.ca.certPem, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end(method === 'POST' ? '{"title":"t"}' : undefined);
  });
}

beforeAll(async () => {
  github = await startGithubStandIn({
    pki, apps: { [APP]: keys.publicKey },
    installations: [{ id: 42, appId: APP, owner: 'acme', repositories: ['reports', 'billing'], permissions: { contents: 'read', issues: 'write', metadata: 'read' } }],
  });
});
afterAll(() => github.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'github-origin-'));
  logs = '';
  github.mints.length = 0;
  github.tokenLifetimeSeconds = 3600;
});
afterEach(() => {
  for (const o of opened) o.close();
  opened = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('app JWT', () => {
  it('is RS256 with iss = App ID, iat 60 s in the past and exp 9 minutes after iat (GitHub allows at most 10)', async () => {
    const now = 1_800_000_000;
    const claims = decodeJwt(await appJwt(APP, keys.privateKey, now));
    expect(claims).toEqual({ iss: APP, iat: now - APP_JWT_BACKDATE_SECONDS, exp: now - APP_JWT_BACKDATE_SECONDS + 540 });
  });
});

describe('GitHub App origin', () => {
  it('mints an installation token narrowed to the listed repositories and permissions', async () => {
    const origin = open({ repositories: ['reports'], permissions: { issues: 'write' } });
    const token = await origin.get();
    expect(token).toMatch(/^ghs_/);
    expect(github.mints).toEqual([{ installationId: 42, status: 201, repositories: ['reports'], permissions: { issues: 'write' } }]);
    expect(await api(token, 'GET', '/repos/acme/reports')).toBe(200);
    expect(await api(token, 'POST', '/repos/acme/reports/issues')).toBe(201);
    // Outside the narrowing: another repository of the installation, and a permission not asked for.
    expect(await api(token, 'GET', '/repos/acme/billing')).toBe(404);
    expect(origin.principal).toEqual({ githubAppId: APP, githubInstallationId: '42' });
  });

  it('reads the PKCS#8 form of the key too', async () => {
    const origin = open({}, { pem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    await expect(origin.get()).resolves.toMatch(/^ghs_/);
  });

  it('mints once for concurrent first calls and serves the cached token after', async () => {
    const origin = open({});
    const tokens = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve(origin.get())));
    expect(new Set(tokens).size).toBe(1);
    await origin.get();
    expect(github.mints).toHaveLength(1);
  });

  it('mints a new token before the current one expires, serving the current one meanwhile', async () => {
    github.tokenLifetimeSeconds = 120; // inside the 5-minute margin
    const origin = open({});
    const first = await origin.get();
    await expect(origin.get()).resolves.toBe(first);
    for (let i = 0; i < 50 && github.mints.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(github.mints.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 50 && (await origin.get()) === first; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await origin.get()).not.toBe(first);
  });

  it('writes one log line per mint naming the pod and the App, never the token or the key', async () => {
    const origin = open({});
    const source = `gh-${serial - 1}`;
    const token = await origin.get();
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'token minted' && l.source === source);
    expect(lines).toEqual([expect.objectContaining({ origin: 'githubApp', workload: 'team-a/agent/agent-0', githubAppId: APP, githubInstallationId: '42' })]);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('PRIVATE KEY');
  });

  it('is refused (GITHUB_APP_TOKEN_REFUSED, 422) when asking for a repository outside the installation', async () => {
    const origin = open({ repositories: ['reports', 'secrets'] });
    expect(await codeOf(origin.get())).toMatch(/^GITHUB_APP_TOKEN_REFUSED: .*HTTP 422: There is at least one repository/);
  });

  it('is refused (GITHUB_APP_TOKEN_REFUSED, 422) when asking for more than the installation was granted', async () => {
    const origin = open({ permissions: { contents: 'write' } });
    expect(await codeOf(origin.get())).toMatch(/^GITHUB_APP_TOKEN_REFUSED: .*HTTP 422: The permissions requested are not granted/);
  });

  it('is refused (GITHUB_APP_TOKEN_REFUSED, 401) when the JWT is signed with another key', async () => {
    const origin = open({}, { pem: pkcs1(other.privateKey) });
    expect(await codeOf(origin.get())).toMatch(/^GITHUB_APP_TOKEN_REFUSED: .*HTTP 401: A JSON web token could not be decoded/);
  });

  it('is refused (GITHUB_APP_TOKEN_REFUSED, 401) when the node clock runs ahead, so iat is in the future for GitHub', async () => {
    const ahead: Clock = { ...systemClock(), now: () => new Date(Date.now() + 10 * 60_000) };
    const origin = open({}, { clock: ahead });
    expect(await codeOf(origin.get())).toMatch(/^GITHUB_APP_TOKEN_REFUSED: .*HTTP 401: 'Issued at'/);
  });

  it('is refused (GITHUB_APP_TOKEN_REFUSED, 404) for an installation of another App', async () => {
    const origin = open({ installationId: 43 });
    expect(await codeOf(origin.get())).toMatch(/^GITHUB_APP_TOKEN_REFUSED: .*HTTP 404/);
  });

  it('fails with GITHUB_APP_KEY_INVALID when the Secret is not mounted or holds no private key', async () => {
    expect(await codeOf(open({}, { pem: undefined }).get())).toMatch(/^GITHUB_APP_KEY_INVALID: .*cannot be read \(ENOENT\)/);
    expect(await codeOf(open({}, { pem: 'not a key' }).get())).toMatch(/^GITHUB_APP_KEY_INVALID: .*not a PEM private key/);
    expect(github.mints).toHaveLength(0);
  });

  it('fails with GITHUB_APP_TOKEN_UNAVAILABLE when GitHub cannot be reached', async () => {
    const closed = await startGithubStandIn({ pki, apps: {}, installations: [] });
    const url = closed.url;
    await closed.close();
    // A source pointed at a port nobody listens on any more.
    const r = resolveSource({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'down' }, spec: { type: 'http', port: 18080, http: { preset: 'github', upstream: url, githubApp: { appId: APP, installationId: 42, privateKeySecretRef: { name: 'app', key: 'private-key.pem' } } } } });
    if (!r.ok || r.source.type !== 'http') throw new Error('resolve');
    mkdirSync(join(dir, 'down'), { recursive: true });
    writeFileSync(join(dir, 'down', 'private-key.pem'), pkcs1(keys.privateKey));
    const clock = systemClock();
    const down = openGithubApp(r.source, r.source.origin as ResolvedGithubApp, {
      secretsDir: dir, credentialPollIntervalMs: 1000, stsTokenFile: '', vaultJwtFile: '', vaultTokenFile: undefined, originTokensDir: '',
      workload: { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-0' }, metrics: createMetrics({ defaultMetrics: false }),
      log: createLogger('debug', { write: () => undefined }), clock, files: nodeFiles(clock),
    });
    opened.push(down);
    expect(await codeOf(down.get())).toMatch(/^GITHUB_APP_TOKEN_UNAVAILABLE: .*ECONNREFUSED/);
  });
});
