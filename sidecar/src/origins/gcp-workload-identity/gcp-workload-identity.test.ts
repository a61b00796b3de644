// The GCP origin end to end inside one process: the real google-auth-library external-account client
// (IdentityPoolClient: file-sourced subject token, STS exchange, IAM Credentials impersonation) against a
// loopback HTTPS Google stand-in that verifies the pod token's signature, issuer, audience, subject and
// expiry, and accepts at IAM Credentials only the federated tokens it issued.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { generateKeyPair } from 'jose';
import { PortcullisError, resolveSource, type CredentialSource, type ResolvedGcpWorkloadIdentity, type ResolvedHttpSource } from '@portcullis/shared';
import { federatedPrincipal, startGoogleStandIn, type GoogleStandIn } from '../../test-support/google-stand-in.js';
import { testPki } from '../../test-support/upstream.js';
import { federatedOriginDeps, podTokenSigner, POD_ISSUER, POD_SUBJECT, type PodTokenOptions, type PodTokenSigner } from '../../test-support/federated-origin.js';
import type { Origin } from '../origin.js';
import { openGcpWorkloadIdentity } from './open.js';

const PROVIDER = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/prod/providers/cluster-a';
const TOKEN_AUDIENCE = `https:${PROVIDER}`;
const ISSUER = POD_ISSUER;
const SUBJECT = POD_SUBJECT;
const SERVICE_ACCOUNT = 'reports@my-project.iam.gserviceaccount.com';
const pki = testPki();

let pods: PodTokenSigner;
let google: GoogleStandIn;
let dir: string;
let logs: string;
/** Bumped per test: a background mint of an earlier test's origin finishing late must not log into this one's `logs`. */
let testNo = 0;
let opened: Origin<string>[] = [];

const podToken = (o?: PodTokenOptions): Promise<string> => pods.sign(o);

function source(name: string, gcp: Record<string, unknown>): ResolvedHttpSource {
  const cs: CredentialSource = {
    apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name, namespace: 'team-a' },
    spec: { type: 'http', port: 18080, http: { preset: 'gcs', gcpWorkloadIdentity: { audience: PROVIDER, tokenUrl: google.tokenUrl, iamCredentialsUrl: google.url, caBundle: pki.ca.certPem, ...gcp } } },
  };
  const r = resolveSource(cs);
  if (!r.ok || r.source.type !== 'http') throw new Error(JSON.stringify(r));
  return r.source;
}

function open(name: string, token: string | undefined, gcp: Record<string, unknown> = {}, workload = true): Origin<string> {
  if (token !== undefined) writeFileSync(join(dir, name), token);
  const opener = testNo;
  const deps = federatedOriginDeps(dir, (line) => void (opener === testNo && (logs += line)), workload);
  const resolved = source(name, gcp);
  const origin = openGcpWorkloadIdentity(resolved, resolved.origin as ResolvedGcpWorkloadIdentity, deps);
  opened.push(origin);
  return origin;
}

async function failureOf(p: unknown): Promise<PortcullisError | string> {
  try {
    await p;
  } catch (err) {
    return err instanceof PortcullisError ? err : `not a PortcullisError: ${String(err)}`;
  }
  return 'resolved';
}

async function codeOf(p: unknown): Promise<string> {
  const e = await failureOf(p);
  return typeof e === 'string' ? e : `${e.code}: ${e.message}`;
}

const okCalls = (service: 'sts' | 'iam'): number => google.calls.filter((c) => c.service === service && c.status === 200).length;

beforeAll(async () => {
  pods = await podTokenSigner(TOKEN_AUDIENCE);
  google = await startGoogleStandIn({
    pki, tokenLifetimeSeconds: 3600,
    providers: [{ name: PROVIDER, issuer: ISSUER }],
    serviceAccounts: [{ email: SERVICE_ACCOUNT, members: [federatedPrincipal(PROVIDER, SUBJECT)] }],
    verifySubjectToken: (jwt) => pods.verify(jwt),
  });
});
afterAll(() => google.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-origin-'));
  logs = '';
  testNo++;
  google.calls.length = 0;
  google.down = false;
  google.unreachable = false;
  google.clockOffsetMs = 0;
  google.tokenLifetimeSeconds = 3600;
});
afterEach(() => {
  for (const o of opened) o.close();
  opened = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('GCP workload identity origin', () => {
  it("exchanges the pod token at STS for a federated token of the pod's principal, with the cloud-platform scope", async () => {
    const origin = open('gcs', await podToken());
    const token = await origin.get();
    expect(google.accessToken(token)).toMatchObject({ principal: federatedPrincipal(PROVIDER, SUBJECT), scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    expect(google.calls).toEqual([{ service: 'sts', status: 200, subject: SUBJECT, scopes: ['https://www.googleapis.com/auth/cloud-platform'] }]);
    expect(origin.principal).toEqual({ gcpProvider: PROVIDER });
    expect(origin.problem()).toBeUndefined();
  });

  it('impersonates the service account with the federated token and injects the service account token, of the source scopes', async () => {
    const scopes = ['https://www.googleapis.com/auth/devstorage.read_write'];
    const origin = open('gcs', await podToken(), { serviceAccountEmail: SERVICE_ACCOUNT, scopes });
    const token = await origin.get();
    expect(google.accessToken(token)).toMatchObject({ principal: `serviceAccount:${SERVICE_ACCOUNT}`, scopes });
    // The library asks STS for cloud-platform (what generateAccessToken needs) and the source scopes at IAM.
    expect(google.calls.map((c) => [c.service, c.status, c.scopes])).toEqual([['sts', 200, ['https://www.googleapis.com/auth/cloud-platform']], ['iam', 200, scopes]]);
    expect(origin.principal).toEqual({ gcpProvider: PROVIDER, gcpServiceAccount: SERVICE_ACCOUNT });
  });

  it('mints once for concurrent first calls, and serves the cached token after', async () => {
    const origin = open('gcs', await podToken(), { serviceAccountEmail: SERVICE_ACCOUNT });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve(origin.get())));
    expect(new Set(tokens).size).toBe(1);
    await origin.get();
    expect([okCalls('sts'), okCalls('iam')]).toEqual([1, 1]);
  });

  it('writes one log line per mint naming the pod and the expiry, never a token', async () => {
    const pod = await podToken();
    const origin = open('gcs', pod, { serviceAccountEmail: SERVICE_ACCOUNT });
    const token = await origin.get();
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'token minted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ source: 'gcs', origin: 'gcpWorkloadIdentity', workload: 'team-a/agent/agent-0', gcpProvider: PROVIDER, gcpServiceAccount: SERVICE_ACCOUNT });
    expect(Date.parse(String(lines[0]?.expiresAt))).toBeGreaterThan(Date.now() + 3500_000);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(pod);
    expect(logs).not.toContain('ya29.');
  });

  it('refreshes before expiry: a token that expires within the refresh margin is replaced without a failed call', async () => {
    google.tokenLifetimeSeconds = 120; // inside the 5-minute margin: every get() after the first starts a refresh
    const origin = open('gcs', await podToken());
    const first = await origin.get();
    expect(await origin.get()).toBe(first); // still the first token; a refresh runs in the background
    for (let i = 0; i < 50 && okCalls('sts') < 2; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 50));
    const second = await origin.get();
    expect(second).not.toBe(first);
    expect(google.accessToken(second)).toBeDefined();
    expect(google.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('refuses with GCP_TOKEN_REFUSED when the pod token has an audience the provider does not allow', async () => {
    const origin = open('gcs', await podToken({ audience: 'wrong-audience' }), { tokenAudience: 'wrong-audience' });
    const code = await codeOf(origin.get());
    expect(code).toMatch(/^GCP_TOKEN_REFUSED: Google STS refused .*HTTP 400, invalid_grant: The audience in ID Token \[wrong-audience\] does not match/);
    expect(code).toContain(PROVIDER);
    expect(origin.problem()).toMatch(/^GCP_TOKEN_REFUSED/);
  });

  it('refuses with GCP_TOKEN_REFUSED when the pod token is not signed by the cluster', async () => {
    const other = await generateKeyPair('RS256');
    const origin = open('gcs', await podToken({ key: other.privateKey }));
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_REFUSED: .*Invalid JWT signature/);
  });

  it('refuses with GCP_TOKEN_REFUSED when the pod token comes from another issuer', async () => {
    const origin = open('gcs', await podToken({ issuer: 'https://other-cluster.example.com' }));
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_REFUSED: .*issuer in ID Token https:\/\/other-cluster\.example\.com does not match/);
  });

  it('refuses with GCP_TOKEN_REFUSED when STS sees the pod token as expired', async () => {
    google.clockOffsetMs = 2 * 3600_000;
    const origin = open('gcs', await podToken());
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_REFUSED: .*ID Token expired/);
  });

  it('refuses with GCP_TOKEN_REFUSED when the provider does not exist (invalid_target)', async () => {
    const origin = open('gcs', await podToken(), { audience: PROVIDER.replace('cluster-a', 'cluster-b'), tokenAudience: TOKEN_AUDIENCE });
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_REFUSED: .*invalid_target/);
  });

  it('refuses with GCP_TOKEN_REFUSED naming the service account when another service account may not impersonate it', async () => {
    const origin = open('gcs', await podToken({ subject: 'system:serviceaccount:team-a:billing' }), { serviceAccountEmail: SERVICE_ACCOUNT });
    const code = await codeOf(origin.get());
    expect(code).toMatch(/^GCP_TOKEN_REFUSED: Google IAM Credentials refused .*reports@my-project\.iam\.gserviceaccount\.com.*HTTP 403, PERMISSION_DENIED/);
    expect(google.calls.map((c) => [c.service, c.status])).toEqual([['sts', 200], ['iam', 403]]);
  });

  it('fails with ORIGIN_TOKEN_UNAVAILABLE, before asking Google, when the pod token has expired on disk', async () => {
    const origin = open('gcs', await podToken({ expiresInSeconds: -60 }));
    expect(await codeOf(origin.get())).toMatch(/^ORIGIN_TOKEN_UNAVAILABLE/);
    expect(google.calls).toHaveLength(0);
  });

  it('fails with ORIGIN_TOKEN_UNAVAILABLE when the projected token is not mounted', async () => {
    const origin = open('gcs', undefined);
    expect(await codeOf(origin.get())).toMatch(/^ORIGIN_TOKEN_UNAVAILABLE: .*portcullis-origin-tokens/);
  });

  it('fails with GCP_TOKEN_UNAVAILABLE while STS answers 503, after the library retried', async () => {
    google.down = true;
    const origin = open('gcs', await podToken());
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_UNAVAILABLE: Google STS .*HTTP 503/);
    expect(google.calls.length).toBeGreaterThan(1);
  }, 30_000);

  it('fails with GCP_TOKEN_UNAVAILABLE while Google cannot be reached, and mints again once it can', async () => {
    google.unreachable = true;
    const origin = open('gcs', await podToken());
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_UNAVAILABLE/);
    google.unreachable = false;
    await new Promise((r) => setTimeout(r, 1100)); // RefreshingValue's backoff (1 s)
    const token = await origin.get();
    expect(google.accessToken(token)).toBeDefined();
    expect(origin.problem()).toBeUndefined();
  }, 30_000);

  it('does not trust the stand-in without its caBundle: the certificate check is never switched off', async () => {
    const origin = open('gcs', await podToken(), { caBundle: undefined });
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_UNAVAILABLE: Google STS .*could not be asked/);
    expect(google.calls).toHaveLength(0);
  }, 30_000);

  it('keeps serving the token minted before while Google is down, until it expires', async () => {
    google.tokenLifetimeSeconds = 120;
    const origin = open('gcs', await podToken());
    const token = await origin.get();
    google.down = true;
    for (let i = 0; i < 3; i++) await expect(origin.get()).resolves.toBe(token);
  }, 30_000);

  it('does not mint before the pod identity is verified', async () => {
    const origin = open('gcs', await podToken(), {}, false);
    expect(await codeOf(origin.get())).toMatch(/^GCP_TOKEN_UNAVAILABLE: .*pod identity is verified/);
    expect(google.calls).toHaveLength(0);
  });

  it('keeps the pod token out of the error it fails with (no cause carrying the request)', async () => {
    const pod = await podToken({ audience: 'wrong-audience' });
    const origin = open('gcs', pod, { tokenAudience: 'wrong-audience' });
    const err = await failureOf(origin.get());
    expect(typeof err).not.toBe('string');
    expect(inspect(err, { depth: 10 })).not.toContain(pod);
    expect(JSON.stringify(err)).not.toContain(pod);
  });
});
