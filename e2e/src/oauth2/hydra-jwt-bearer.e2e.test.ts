// The secretless oauth2 origin: the pod's projected service-account token (a real TokenRequest of the e2e
// kube-apiserver, audience = Hydra's token endpoint) is the RFC 7523 JWT-bearer grant. Hydra trusts the
// apiserver's service-account issuer with the key from its /openid/v1/jwks and verifies the token itself
// (issuer, audience, subject, expiry, signature). Cases: the API gets a token for the pod's service
// account; a token of the wrong audience is refused (OAUTH2_GRANT_REJECTED); Hydra refuses a replayed
// jti, the sidecar surfaces that as OAUTH2_ASSERTION_ALREADY_USED and never presents one token twice
// itself: past the access token's expiry it waits for the kubelet's rotation, then recovers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { testPort } from '../support/test-ports.js';
import { clusterEnv, kubectl } from '../support/cluster.js';
import { startHydra, type Hydra } from '../support/hydra.js';
import { requestPodBoundToken } from '../support/workloads.js';
import { until } from '../vault/cluster-sidecar.js';
import { startResourceServer, type ResourceServer } from './resource-server.js';
import { callSource, createOAuth2Pod, createOAuth2Source, mountOriginToken, startOAuth2Sidecar, type RunningSidecar } from './world.js';

const API = 'https://reports.example.com';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The `short` client's access-token lifetime: the sidecar needs a new projected token after it. */
const SHORT_LIFETIME_SECONDS = 8;

describe('oauth2 jwt-bearer with the pod projected token against Ory Hydra', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-oauth2-jb-'));
  const ports = { jb: testPort(), aud: testPort(), replay: testPort(), short: testPort(), expired: testPort() };
  /** A second issuer Hydra trusts, whose key the test holds: it can sign a token that has just expired. */
  const testIssuer = 'https://stale-kubelet.example.com';
  let testKey: CryptoKey;
  const answers: string[] = [];
  const presented: string[] = [];
  let hydra: Hydra;
  let rs: ResourceServer;
  let running: RunningSidecar;
  let pod: V1Pod;
  let ns: string;

  /** A fresh projected token of the pod, as the kubelet mounts it (audience Hydra's token endpoint unless given). */
  const podToken = async (audience = hydra.tokenEndpoint): Promise<string> => {
    const token = await requestPodBoundToken(pod, [audience], 600);
    presented.push(token);
    return token;
  };

  beforeAll(async () => {
    hydra = await startHydra();
    const w = await createOAuth2Pod('oauth2-jb');
    ({ pod, ns } = w);
    const jwks = await kubectl(['get', '--raw', '/openid/v1/jwks']);
    const jwk = (JSON.parse(jwks.stdout) as { keys: object[] }).keys[0];
    const trust = await hydra.admin('POST', '/admin/trust/grants/jwt-bearer/issuers', {
      issuer: clusterEnv().serviceAccountIssuer,
      subject: `system:serviceaccount:${ns}:reports`,
      scope: ['reports.read'],
      jwk,
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(trust.status).toBe(201);
    const pair = await generateKeyPair('RS256', { extractable: true });
    testKey = pair.privateKey;
    const staleTrust = await hydra.admin('POST', '/admin/trust/grants/jwt-bearer/issuers', {
      issuer: testIssuer, subject: `system:serviceaccount:${ns}:reports`, scope: ['reports.read'],
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'stale-1', use: 'sig', alg: 'RS256' }, expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(staleTrust.status).toBe(201);
    const publicClient = (id: string, extra: object = {}): Promise<void> =>
      hydra.createClient({ client_id: id, token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER], scope: 'reports.read', audience: [API], ...extra });
    await publicClient('jb-public');
    await publicClient('jb-short', { jwt_bearer_grant_access_token_lifespan: `${SHORT_LIFETIME_SECONDS}s` });

    rs = await startResourceServer(hydra, API);
    const spec = (clientId: string): object => ({ tokenEndpoint: hydra.tokenEndpoint, allowPlaintext: true, grant: 'JwtBearer', clientId, clientAuthentication: { method: 'None' }, scopes: ['reports.read'], audiences: [API] });
    await createOAuth2Source(ns, 'jb', ports.jb, rs, spec('jb-public'));
    await createOAuth2Source(ns, 'aud', ports.aud, rs, spec('jb-public'));
    await createOAuth2Source(ns, 'replay', ports.replay, rs, spec('jb-public'));
    await createOAuth2Source(ns, 'short', ports.short, rs, spec('jb-short'));
    await createOAuth2Source(ns, 'expired', ports.expired, rs, spec('jb-public'));
    mountOriginToken(dir, 'jb', await podToken());
    mountOriginToken(dir, 'aud', await podToken('https://not-hydra.example.com'));
    mountOriginToken(dir, 'short', await podToken());
    // What a restarted sidecar finds: a projected token Hydra has already seen (presented below, before the start).
    const used = await podToken();
    const direct = await fetch(hydra.tokenEndpoint, { method: 'POST', body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: used, client_id: 'jb-public', scope: 'reports.read' }) });
    expect(direct.status).toBe(200);
    mountOriginToken(dir, 'replay', used);
    running = await startOAuth2Sidecar(w, dir, ports.jb);
  }, 180_000);

  afterAll(async () => {
    await running?.sidecar.stop();
    await rs?.upstream.close();
    await hydra?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the API gets a token Hydra minted for the pod's service account, with no client secret anywhere", async () => {
    const res = await until('source jb serves', 30_000, async () => {
      const r = await callSource(ports.jb, '/reports/read', answers);
      return r.status === 200 ? r : undefined;
    });
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, sub: `system:serviceaccount:${ns}:reports` });
    expect(rs.verdicts.at(-1)?.introspection).toMatchObject({ active: true, client_id: 'jb-public', scope: 'reports.read', aud: expect.arrayContaining([API]) });
    expect(running.logs.some((l) => l.includes('OAuth2 token minted') && l.includes('"grant":"jwt_bearer"') && l.includes(`"workload":"${ns}/reports/reports-0"`))).toBe(true);
  });

  it('Hydra refuses a projected token of another audience: OAUTH2_GRANT_REJECTED, named in /readyz', async () => {
    const res = await callSource(ports.aud, '/reports/read', answers);
    expect(res.status).toBe(503);
    expect(res.code).toBe('OAUTH2_GRANT_REJECTED');
    expect(res.body).toMatch(/invalid_grant/);
    expect((await running.sidecar.readiness()).body.credentials.join('\n')).toMatch(/source aud: OAUTH2_GRANT_REJECTED/);
  });

  it('Hydra refuses a projected token that has just expired (the kubelet stopped rotating it): OAUTH2_GRANT_REJECTED', async () => {
    // 2 s past exp: inside the sidecar's own 5 s tolerance (origin-token.ts), so Hydra is the one that refuses.
    const nowSeconds = Math.floor(Date.now() / 1000);
    const stale = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'stale-1' }).setIssuer(testIssuer).setSubject(`system:serviceaccount:${ns}:reports`)
      .setAudience(hydra.tokenEndpoint).setJti(`stale-${nowSeconds}`).setIssuedAt(nowSeconds - 600).setExpirationTime(nowSeconds - 1).sign(testKey);
    presented.push(stale);
    mountOriginToken(dir, 'expired', stale);
    // Until then the file was missing: calls get that error (ORIGIN_TOKEN_UNAVAILABLE) until its 1 s retry backoff has passed.
    const res = await until('the token file is read again', 3_500, async () => {
      const r = await callSource(ports.expired, '/reports/read', answers);
      return r.code === 'ORIGIN_TOKEN_UNAVAILABLE' && /cannot be read/.test(r.body) ? undefined : r;
    });
    expect(`${res.status} ${res.code ?? ''} ${res.body}`).toMatch(/^503 OAUTH2_GRANT_REJECTED .*invalid_grant/);
    expect(await running.sidecar.metrics()).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="expired",grant="jwt_bearer",result="invalid_grant"\} 1\n/);
  });

  it('Hydra refuses a replayed projected token (jti): surfaced as OAUTH2_ASSERTION_ALREADY_USED, recovered after the kubelet rotates it', async () => {
    const res = await callSource(ports.replay, '/reports/read', answers);
    expect(res.status).toBe(503);
    expect(res.code).toBe('OAUTH2_ASSERTION_ALREADY_USED');
    expect(await running.sidecar.metrics()).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="replay",grant="jwt_bearer",result="assertion_reused"\} [1-9]/);
    mountOriginToken(dir, 'replay', await podToken());
    await until('the rotated token is used', 45_000, async () => ((await callSource(ports.replay, '/reports/read', answers)).status === 200 ? true : undefined));
  }, 60_000);

  it(`never presents one projected token twice: after the ${SHORT_LIFETIME_SECONDS} s access token it waits for the rotation, then mints with the new token`, async () => {
    await until('source short serves', 30_000, async () => ((await callSource(ports.short, '/reports/read', answers)).status === 200 ? true : undefined));
    const closed = await until('calls fail closed once the access token expired', (SHORT_LIFETIME_SECONDS + 5) * 1000, async () => {
      const r = await callSource(ports.short, '/reports/read', answers);
      return r.status === 503 ? r : undefined;
    });
    expect(closed.code).toBe('OAUTH2_ASSERTION_ALREADY_USED');
    // The sidecar refused by itself: Hydra saw the token once (one mint ok, no jti_known answer).
    const metrics = await running.sidecar.metrics();
    expect(metrics).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="short",grant="jwt_bearer",result="ok"\} 1\n/);
    expect(metrics).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="short",grant="jwt_bearer",result="assertion_reused"\} [1-9]/);
    expect(running.logs.join('\n')).not.toMatch(/jti_known[^\n]*"source":"short"|"source":"short"[^\n]*jti_known/);
    mountOriginToken(dir, 'short', await podToken());
    await until('the rotated token is used', 45_000, async () => ((await callSource(ports.short, '/reports/read', answers)).status === 200 ? true : undefined));
    expect(await running.sidecar.metrics()).toMatch(/portcullis_sidecar_oauth2_token_requests_total\{source="short",grant="jwt_bearer",result="ok"\} 2\n/);
  }, 90_000);

  it('never writes a projected token or an access token into a log line, an audit line, a metric or an answer', async () => {
    const text = [...running.logs, ...running.audit, await running.sidecar.metrics(), ...answers].join('\n');
    const tokens = rs.verdicts.map((v) => v.token).filter((t) => t !== '');
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [...presented, ...tokens]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/ory_at_|eyJhbGciOi/);
  });
});
