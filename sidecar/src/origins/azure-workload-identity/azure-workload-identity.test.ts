// The Azure origin end to end inside one process: the real @azure/identity WorkloadIdentityCredential (and
// MSAL) against a loopback HTTPS Entra stand-in that verifies the pod token's signature, issuer, subject,
// audience and expiry and refuses like Entra does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { generateKeyPair } from 'jose';
import { PortcullisError, resolveSource, type CredentialSource, type ResolvedAzureWorkloadIdentity, type ResolvedHttpSource } from '@portcullis/shared';
import { startEntraStandIn, type EntraStandIn } from '../../test-support/entra-stand-in.js';
import { testPki } from '../../test-support/upstream.js';
import { federatedOriginDeps, podTokenSigner, POD_ISSUER, POD_SUBJECT, type PodTokenOptions, type PodTokenSigner } from '../../test-support/federated-origin.js';
import type { Origin } from '../origin.js';
import { openAzureWorkloadIdentity } from './open.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0d4a1c34-3b1e-4f5f-9d7c-0a9c6e8e1a11';
const ISSUER = POD_ISSUER;
const SUBJECT = POD_SUBJECT;
const pki = testPki();

let pods: PodTokenSigner;
let entra: EntraStandIn;
let dir: string;
let logs: string;
/** Bumped per test: a background mint of an earlier test's origin finishing late must not log into this one's `logs`. */
let testNo = 0;
let opened: Origin<string>[] = [];

const podToken = (o?: PodTokenOptions): Promise<string> => pods.sign(o);

function source(name: string, azure: Record<string, unknown>): ResolvedHttpSource {
  const cs: CredentialSource = {
    apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name, namespace: 'team-a' },
    spec: { type: 'http', port: 18080, http: { preset: 'azure-storage', upstream: 'https://account.blob.core.windows.net', azureWorkloadIdentity: { tenantId: TENANT, clientId: CLIENT, authorityHost: entra.url, caBundle: pki.ca.certPem, ...azure } } },
  };
  const r = resolveSource(cs);
  if (!r.ok || r.source.type !== 'http') throw new Error(JSON.stringify(r));
  return r.source;
}

function open(name: string, token: string | undefined, azure: Record<string, unknown> = {}, workload = true): Origin<string> {
  if (token !== undefined) writeFileSync(join(dir, name), token);
  const opener = testNo;
  const deps = federatedOriginDeps(dir, (line) => void (opener === testNo && (logs += line)), workload);
  const resolved = source(name, azure);
  const origin = openAzureWorkloadIdentity(resolved, resolved.origin as ResolvedAzureWorkloadIdentity, deps);
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

beforeAll(async () => {
  pods = await podTokenSigner('api://AzureADTokenExchange');
  entra = await startEntraStandIn({
    pki, tenantId: TENANT, tokenLifetimeSeconds: 3600,
    federated: [{ clientId: CLIENT, issuer: ISSUER, subject: SUBJECT, audience: 'api://AzureADTokenExchange' }],
    verifyAssertion: (jwt) => pods.verify(jwt),
  });
});
afterAll(() => entra.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'azure-origin-'));
  mkdirSync(dir, { recursive: true });
  logs = '';
  testNo++;
  entra.mints.length = 0;
  entra.down = false;
  entra.unreachable = false;
  entra.clockOffsetMs = 0;
  entra.tokenLifetimeSeconds = 3600;
});
afterEach(() => {
  for (const o of opened) o.close();
  opened = [];
  rmSync(dir, { recursive: true, force: true });
});

describe('Azure workload identity origin', () => {
  it('exchanges the pod token for an Entra token of the preset scope, minted for the app registration', async () => {
    const origin = open('blob', await podToken());
    const token = await origin.get();
    const claims = await entra.verifyAccessToken(token, 'https://storage.azure.com');
    expect(claims).toMatchObject({ appid: CLIENT, tid: TENANT, iss: `https://sts.windows.net/${TENANT}/` });
    expect(entra.mints.at(-1)).toMatchObject({ clientId: CLIENT, subject: SUBJECT, status: 200 });
    expect(entra.mints.at(-1)?.scope.split(' ')).toContain('https://storage.azure.com/.default');
    expect(origin.principal).toEqual({ azureClientId: CLIENT, azureTenantId: TENANT, scope: 'https://storage.azure.com/.default' });
    expect(origin.problem()).toBeUndefined();
  });

  it('mints once for concurrent first calls, and serves the cached token after', async () => {
    const origin = open('blob', await podToken());
    const tokens = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve(origin.get())));
    expect(new Set(tokens).size).toBe(1);
    await origin.get();
    expect(entra.mints.filter((m) => m.status === 200)).toHaveLength(1);
  });

  it('writes one log line per mint naming the pod and the expiry, never the token or the pod token', async () => {
    const pod = await podToken();
    const origin = open('blob', pod);
    const token = await origin.get();
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'token minted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ source: 'blob', origin: 'azureWorkloadIdentity', workload: 'team-a/agent/agent-0', azureClientId: CLIENT });
    expect(typeof lines[0]?.expiresAt).toBe('string');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(pod);
  });

  it('refreshes before expiry: a token that expires within the refresh margin is replaced without a failed call', async () => {
    entra.tokenLifetimeSeconds = 120; // inside the 5-minute margin: every get() after the first starts a refresh
    const origin = open('blob', await podToken());
    const first = await origin.get();
    const second = await origin.get(); // still the first token, a refresh runs in the background
    expect(second).toBe(first);
    for (let i = 0; i < 50 && entra.mints.filter((m) => m.status === 200).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    // Same second, same claims: the stand-in's tokens differ only by iat/exp; wait for the cache to take the new one.
    await new Promise((r) => setTimeout(r, 50));
    expect(entra.mints.filter((m) => m.status === 200).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses with AZURE_TOKEN_REFUSED and AADSTS700212 when the pod token has another audience', async () => {
    const origin = open('blob', await podToken({ audience: 'wrong-audience' }), { tokenAudience: 'wrong-audience' });
    const code = await codeOf(origin.get());
    expect(code).toMatch(/^AZURE_TOKEN_REFUSED: .*AADSTS700212/);
    expect(code).toContain(CLIENT);
    expect(origin.problem()).toMatch(/^AZURE_TOKEN_REFUSED/);
  });

  it('refuses with AZURE_TOKEN_REFUSED and AADSTS700213 for another service account', async () => {
    const origin = open('blob', await podToken({ subject: 'system:serviceaccount:team-a:billing' }));
    expect(await codeOf(origin.get())).toMatch(/^AZURE_TOKEN_REFUSED: .*AADSTS700213/);
  });

  it('refuses with AZURE_TOKEN_REFUSED when the pod token is not signed by the cluster', async () => {
    const other = await generateKeyPair('RS256');
    const origin = open('blob', await podToken({ key: other.privateKey }));
    expect(await codeOf(origin.get())).toMatch(/^AZURE_TOKEN_REFUSED: .*AADSTS700027/);
  });

  it('refuses with AZURE_TOKEN_REFUSED and AADSTS700024 when Entra sees the pod token as expired', async () => {
    entra.clockOffsetMs = 2 * 3600_000;
    const origin = open('blob', await podToken());
    expect(await codeOf(origin.get())).toMatch(/^AZURE_TOKEN_REFUSED: .*AADSTS700024/);
  });

  it('fails with ORIGIN_TOKEN_UNAVAILABLE, before asking Entra, when the pod token has expired on disk', async () => {
    const origin = open('blob', await podToken({ expiresInSeconds: -60 }));
    expect(await codeOf(origin.get())).toMatch(/^ORIGIN_TOKEN_UNAVAILABLE/);
    expect(entra.mints).toHaveLength(0);
  });

  it('fails with ORIGIN_TOKEN_UNAVAILABLE when the projected token is not mounted', async () => {
    const origin = open('blob', undefined);
    expect(await codeOf(origin.get())).toMatch(/^ORIGIN_TOKEN_UNAVAILABLE: .*portcullis-origin-tokens/);
  });

  it('fails with AZURE_TOKEN_UNAVAILABLE while Entra answers 503', async () => {
    entra.down = true;
    const origin = open('blob', await podToken());
    expect(await codeOf(origin.get())).toMatch(/^AZURE_TOKEN_UNAVAILABLE: .*AADSTS90033/);
  }, 30_000);

  it('fails with AZURE_TOKEN_UNAVAILABLE while Entra cannot be reached, and mints again once it can', async () => {
    entra.unreachable = true;
    const origin = open('blob', await podToken());
    expect(await codeOf(origin.get())).toMatch(/^AZURE_TOKEN_UNAVAILABLE/);
    entra.unreachable = false;
    // RefreshingValue's backoff (1 s) passes, then the next call mints.
    await new Promise((r) => setTimeout(r, 1100));
    const token = await origin.get();
    await expect(entra.verifyAccessToken(token, 'https://storage.azure.com')).resolves.toMatchObject({ appid: CLIENT });
    expect(origin.problem()).toBeUndefined();
  }, 30_000);

  it('keeps serving the token minted before while Entra is down, until it expires', async () => {
    entra.tokenLifetimeSeconds = 120; // inside the refresh margin: every call tries a background refresh
    const origin = open('blob', await podToken());
    const token = await origin.get();
    entra.down = true;
    for (let i = 0; i < 3; i++) await expect(origin.get()).resolves.toBe(token);
  }, 30_000);

  it('does not mint before the pod identity is verified', async () => {
    const origin = open('blob', await podToken(), {}, false);
    expect(await codeOf(origin.get())).toMatch(/^AZURE_TOKEN_UNAVAILABLE: .*pod identity is verified/);
    expect(entra.mints).toHaveLength(0);
  });
});
