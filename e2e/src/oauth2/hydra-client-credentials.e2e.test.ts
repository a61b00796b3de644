// The oauth2 origin with the client-credentials grant against a real Ory Hydra: client_secret_basic,
// client_secret_post and private_key_jwt (found through Hydra's discovery document), scopes narrowed per
// source, refused clients and scopes surfaced with their documented codes, refresh across expiry with no
// failed call, 50 concurrent first calls minting once, and a Hydra outage: calls succeed until the token
// expires, then fail closed (and /readyz names the source), then recover when Hydra is back.
// The API verifies every token with Hydra (introspection) and checks scope and audience.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { testPort } from '../support/test-ports.js';
import { startHydra, type Hydra } from '../support/hydra.js';
import { until } from '../vault/cluster-sidecar.js';
import { startResourceServer, type ResourceServer } from './resource-server.js';
import { callSource, createOAuth2Pod, createOAuth2Source, mountSecret, startOAuth2Sidecar, type RunningSidecar } from './world.js';

const API = 'https://reports.example.com';
/** The lifetime of the `short` client's tokens: the refresh and outage cases wait for it to run out. */
const SHORT_LIFETIME_SECONDS = 8;

describe('oauth2 client credentials against Ory Hydra', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-oauth2-cc-'));
  const ports = { basic: testPort(), post: testPort(), key: testPort(), short: testPort(), wrong: testPort(), scope: testPort(), burst: testPort() };
  const secrets = { basic: `basic-${Date.now()}-secret`, post: `post-${Date.now()}-secret`, short: `short-${Date.now()}-secret`, burst: `burst-${Date.now()}-secret` };
  const answers: string[] = [];
  let keyPem = '';
  let hydra: Hydra;
  let rs: ResourceServer;
  let running: RunningSidecar;

  const basicAuth = (source: string) => ({ method: 'ClientSecretBasic', secretRef: { name: `${source}-oauth`, key: 'client-secret' } });

  beforeAll(async () => {
    hydra = await startHydra();
    const client = (id: string, extra: object): Promise<void> =>
      hydra.createClient({ client_id: id, grant_types: ['client_credentials'], scope: 'reports.read reports.write', audience: [API], ...extra });
    await client('cc-basic', { client_secret: secrets.basic, token_endpoint_auth_method: 'client_secret_basic' });
    await client('cc-post', { client_secret: secrets.post, token_endpoint_auth_method: 'client_secret_post' });
    await client('cc-short', { client_secret: secrets.short, token_endpoint_auth_method: 'client_secret_basic', client_credentials_grant_access_token_lifespan: `${SHORT_LIFETIME_SECONDS}s` });
    await client('cc-burst', { client_secret: secrets.burst, token_endpoint_auth_method: 'client_secret_basic' });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    keyPem = await exportPKCS8(privateKey);
    await client('cc-key', { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'reports-1', use: 'sig', alg: 'ES256' }] } });

    rs = await startResourceServer(hydra, API);
    const w = await createOAuth2Pod('oauth2-cc');
    const common = { tokenEndpoint: hydra.tokenEndpoint, allowPlaintext: true, grant: 'ClientCredentials' };
    await createOAuth2Source(w.ns, 'basic', ports.basic, rs, { ...common, clientId: 'cc-basic', clientAuthentication: basicAuth('basic'), scopes: ['reports.read'], audiences: [API] });
    await createOAuth2Source(w.ns, 'post', ports.post, rs, { ...common, clientId: 'cc-post', clientAuthentication: { method: 'ClientSecretPost', secretRef: { name: 'post-oauth', key: 'client-secret' } }, scopes: ['reports.write'], audiences: [API] });
    await createOAuth2Source(w.ns, 'key', ports.key, rs, {
      issuer: hydra.issuer, allowPlaintext: true, grant: 'ClientCredentials', clientId: 'cc-key', scopes: ['reports.read'], audiences: [API],
      clientAuthentication: { method: 'PrivateKeyJwt', secretRef: { name: 'key-oauth', key: 'private-key.pem' }, signingAlgorithm: 'ES256', keyId: 'reports-1' },
    });
    await createOAuth2Source(w.ns, 'short', ports.short, rs, { ...common, clientId: 'cc-short', clientAuthentication: basicAuth('short'), scopes: ['reports.read'], audiences: [API] });
    await createOAuth2Source(w.ns, 'wrong', ports.wrong, rs, { ...common, clientId: 'cc-basic', clientAuthentication: basicAuth('wrong'), scopes: ['reports.read'] });
    await createOAuth2Source(w.ns, 'scope', ports.scope, rs, { ...common, clientId: 'cc-basic', clientAuthentication: basicAuth('scope'), scopes: ['reports.admin'] });
    await createOAuth2Source(w.ns, 'burst', ports.burst, rs, { ...common, clientId: 'cc-burst', clientAuthentication: basicAuth('burst'), scopes: ['reports.read'], audiences: [API] });
    mountSecret(dir, 'basic', 'client-secret', `${secrets.basic}\n`);
    mountSecret(dir, 'post', 'client-secret', secrets.post);
    mountSecret(dir, 'short', 'client-secret', secrets.short);
    mountSecret(dir, 'burst', 'client-secret', secrets.burst);
    mountSecret(dir, 'wrong', 'client-secret', 'not-the-secret');
    mountSecret(dir, 'scope', 'client-secret', secrets.basic);
    mountSecret(dir, 'key', 'private-key.pem', keyPem);
    running = await startOAuth2Sidecar(w, dir, ports.basic);
  }, 180_000);

  afterAll(async () => {
    await running?.sidecar.stop();
    await rs?.upstream.close();
    await hydra?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['client_secret_basic', 'basic', 'cc-basic', '/reports/read'],
    ['client_secret_post', 'post', 'cc-post', '/reports/write'],
    ['private_key_jwt (token endpoint from discovery)', 'key', 'cc-key', '/reports/read'],
  ] as const)('%s: the API gets a token Hydra minted for the client, with the source audience', async (_what, source, clientId, path) => {
    const res = await until(`source ${source} serves`, 30_000, async () => {
      const r = await callSource(ports[source], path, answers);
      return r.status === 200 ? r : undefined;
    });
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, sub: clientId });
    const verdict = rs.verdicts.at(-1);
    expect(verdict?.introspection).toMatchObject({ active: true, client_id: clientId, aud: [API] });
  });

  it('narrows the scope per source: two sources of one Hydra hold differently scoped tokens', async () => {
    expect((await callSource(ports.basic, '/reports/read', answers)).status).toBe(200);
    expect((await callSource(ports.basic, '/reports/write', answers)).status).toBe(403);
    expect(rs.verdicts.at(-1)?.introspection?.scope).toBe('reports.read');
    expect((await callSource(ports.post, '/reports/write', answers)).status).toBe(200);
    expect((await callSource(ports.post, '/reports/read', answers)).status).toBe(403);
    expect(rs.verdicts.at(-1)?.introspection?.scope).toBe('reports.write');
  });

  it('refuses with OAUTH2_CLIENT_REJECTED when Hydra rejects the client secret; /readyz and the metric name the source', async () => {
    const res = await callSource(ports.wrong, '/reports/read', answers);
    expect(res.status).toBe(503);
    expect(res.code).toBe('OAUTH2_CLIENT_REJECTED');
    expect(res.body).toMatch(/invalid_client/);
    expect((await running.sidecar.readiness()).body.credentials.join('\n')).toMatch(/source wrong: OAUTH2_CLIENT_REJECTED/);
    expect(await running.sidecar.metrics()).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="wrong",grant="client_credentials",result="invalid_client"\} [1-9]/);
  });

  it('refuses with OAUTH2_SCOPE_REJECTED when the source asks for a scope the client may not have', async () => {
    const res = await callSource(ports.scope, '/reports/read', answers);
    expect(res.status).toBe(503);
    expect(res.code).toBe('OAUTH2_SCOPE_REJECTED');
    expect(await running.sidecar.metrics()).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="scope",grant="client_credentials",result="invalid_scope"\} [1-9]/);
  });

  it('50 concurrent first calls are served with one token from one mint', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, async () => callSource(ports.burst, '/reports/read', answers)));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    const tokens = new Set(rs.verdicts.filter((v) => v.introspection?.client_id === 'cc-burst').map((v) => v.token));
    expect(tokens.size).toBe(1);
    expect(await running.sidecar.metrics()).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="burst",grant="client_credentials",result="ok"\} 1\n/);
  });

  it(`refreshes across expiry (${SHORT_LIFETIME_SECONDS} s tokens) with no failed call`, async () => {
    const statuses: number[] = [];
    const endAt = Date.now() + SHORT_LIFETIME_SECONDS * 2.5 * 1000;
    while (Date.now() < endAt) {
      statuses.push((await callSource(ports.short, '/reports/read', answers)).status);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const tokens = new Set(rs.verdicts.filter((v) => v.introspection?.client_id === 'cc-short' && v.status === 200).map((v) => v.token));
    expect(tokens.size).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('while Hydra is down: succeeds until the token expires, then fails closed with OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE, then recovers', async () => {
    expect((await callSource(ports.short, '/reports/read', answers)).status).toBe(200);
    await hydra.stop();
    const stoppedAt = Date.now();
    expect((await callSource(ports.short, '/reports/read', answers)).status).toBe(200);
    const closed = await until('calls fail closed', (SHORT_LIFETIME_SECONDS + 5) * 1000, async () => {
      const r = await callSource(ports.short, '/reports/read', answers);
      return r.status === 503 ? r : undefined;
    });
    // The token was used until (not after) its own expiry: a few seconds, not zero and not forever.
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual((SHORT_LIFETIME_SECONDS + 5) * 1000);
    expect(closed.code).toBe('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE');
    expect(rs.verdicts.filter((v) => v.status !== 200 && v.introspection?.client_id === 'cc-short')).toEqual([]);
    expect((await running.sidecar.readiness()).body.credentials.join('\n')).toMatch(/source short: OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE/);

    await hydra.start();
    await until('calls succeed again without a sidecar restart', 45_000, async () => ((await callSource(ports.short, '/reports/read', answers)).status === 200 ? true : undefined));
    expect((await running.sidecar.readiness()).body.credentials.join('\n')).not.toMatch(/source short:/);
  }, 90_000);

  it('never writes a client secret, the private key or an access token into a log line, an audit line, a metric or an answer', async () => {
    const metrics = await running.sidecar.metrics();
    const text = [...running.logs, ...running.audit, metrics, ...answers].join('\n');
    expect(running.logs.join('\n')).toContain('OAuth2 token minted');
    expect(running.logs.some((l) => l.includes('"grant":"client_credentials"') && l.includes('"workload":'))).toBe(true);
    const tokens = rs.verdicts.map((v) => v.token).filter((t) => t !== '');
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(secrets), keyPem.split('\n')[1] ?? 'x', ...tokens]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/ory_at_/);
  });
});
