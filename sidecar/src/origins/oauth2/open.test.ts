import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { exportPKCS8, generateKeyPair, jwtVerify, SignJWT, decodeJwt } from 'jose';
import { pino } from 'pino';
import { PortcullisError, resolveHttpSource, type CredentialSource, type HttpOAuth2Origin, type OAuth2ClientAuthentication, type ResolvedHttpSource, type ResolvedOAuth2Origin } from '@portcullis/shared';
import { systemClock, type Clock } from '../../io/clock.js';
import { nodeFiles } from '../../io/files.js';
import { createMetrics, type SidecarMetrics } from '../../metrics.js';
import type { Origin, OriginDeps } from '../origin.js';
import { openOAuth2Http } from './open.js';
import { issueTokens, jsonAnswer, startTokenServer, type TokenServer } from './test-support/token-server.js';

const SECRET = 'client-secret-value-do-not-log';
const WORKLOAD = { namespace: 'team-a', serviceAccount: 'reports', podName: 'reports-0' };

function source(oauth2: HttpOAuth2Origin): { resolved: ResolvedHttpSource; spec: ResolvedOAuth2Origin } {
  const cs = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api', namespace: 'team-a' }, spec: { type: 'http', port: 18080, http: { upstream: 'https://api.example.com', oauth2 } } } as CredentialSource;
  const resolved = resolveHttpSource(cs);
  if (!('type' in resolved)) throw new Error(resolved.message);
  if (resolved.origin.kind !== 'oauth2') throw new Error('not oauth2');
  return { resolved, spec: resolved.origin };
}

/** The pod's projected token as the kubelet writes it: a JWT with its own jti (signature irrelevant to the sidecar). */
async function projectedToken(jti: string, expSeconds: number): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ sub: 'system:serviceaccount:team-a:reports' }).setProtectedHeader({ alg: 'ES256' }).setJti(jti).setExpirationTime(expSeconds).sign(privateKey);
}

describe('openOAuth2Http against a loopback token endpoint', () => {
  let dir: string;
  let server: TokenServer;
  let metrics: SidecarMetrics;
  let logs: string[];
  let offsetMs: number;
  let opened: Origin<string>[];
  const clock: Clock = { ...systemClock(), now: () => new Date(Date.now() + offsetMs) };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oauth2-origin-'));
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    mkdirSync(join(dir, 'origin-tokens'), { recursive: true });
    writeFileSync(join(dir, 'sources/api/client-secret'), `${SECRET}\n`);
    server = await startTokenServer();
    metrics = createMetrics({ defaultMetrics: false });
    logs = [];
    offsetMs = 0;
    opened = [];
  });
  afterEach(async () => {
    for (const o of opened) o.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function open(oauth2: HttpOAuth2Origin, workload: OriginDeps['workload'] | 'unverified' = WORKLOAD): Origin<string> {
    const { resolved, spec } = source(oauth2);
    const log = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => { logs.push(c.toString()); cb(); } }));
    const deps: OriginDeps = {
      secretsDir: join(dir, 'sources'),
      credentialPollIntervalMs: 1000,
      stsTokenFile: join(dir, 'sts'),
      vaultJwtFile: join(dir, 'vault'),
      vaultTokenFile: undefined,
      originTokensDir: join(dir, 'origin-tokens'),
      workload: workload === 'unverified' ? undefined : workload,
      metrics,
      log,
      clock,
      files: nodeFiles(clock),
    };
    const origin = openOAuth2Http(resolved, spec, deps, () => 0.5);
    opened.push(origin);
    return origin;
  }

  const secretAuth = (method: 'ClientSecretBasic' | 'ClientSecretPost'): OAuth2ClientAuthentication => ({ method, secretRef: { name: 'reports-oauth', key: 'client-secret' } });
  const withIssuer = (spec: HttpOAuth2Origin, issuer: string): HttpOAuth2Origin => {
    const rest: HttpOAuth2Origin = { ...spec };
    delete rest.tokenEndpoint;
    return { ...rest, issuer };
  };
  const basic = (extra: Partial<HttpOAuth2Origin> = {}): HttpOAuth2Origin => ({ tokenEndpoint: server.tokenEndpoint, allowPlaintext: true, grant: 'ClientCredentials', clientId: 'reports', clientAuthentication: secretAuth('ClientSecretBasic'), ...extra });

  it('client_secret_basic: sends the client id and secret in the Authorization header with the scopes, audiences and resources of the source', async () => {
    const origin = open(basic({ scopes: ['reports.read', 'reports.list'], audiences: ['https://api.example.com'], resources: ['https://api.example.com/a', 'https://api.example.com/b'] }));
    expect(await origin.get()).toBe('at-1');
    expect(server.calls).toHaveLength(1);
    const call = server.calls[0];
    expect(call?.path).toBe('/oauth2/token');
    // RFC 6749 2.3.1: id and secret are form-encoded before base64, and the server decodes them.
    const [scheme, encoded = ''] = (call?.headers.authorization ?? '').split(' ');
    expect(scheme).toBe('Basic');
    expect(Buffer.from(encoded, 'base64').toString('utf8').split(':').map(decodeURIComponent)).toEqual(['reports', SECRET]);
    expect(call?.form.get('grant_type')).toBe('client_credentials');
    expect(call?.form.get('scope')).toBe('reports.read reports.list');
    expect(call?.form.get('audience')).toBe('https://api.example.com');
    expect(call?.form.getAll('resource')).toEqual(['https://api.example.com/a', 'https://api.example.com/b']);
    expect(call?.form.has('client_secret')).toBe(false);
  });

  it('client_secret_post: sends client_id and client_secret in the form and no Authorization header', async () => {
    const origin = open(basic({ clientAuthentication: secretAuth('ClientSecretPost') }));
    expect(await origin.get()).toBe('at-1');
    const call = server.calls[0];
    expect(call?.headers.authorization).toBeUndefined();
    expect(call?.form.get('client_id')).toBe('reports');
    expect(call?.form.get('client_secret')).toBe(SECRET);
  });

  it('private_key_jwt: signs a client assertion the server can verify with the public key, aud naming the token endpoint, a new jti each mint', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(join(dir, 'sources/api/key.pem'), await exportPKCS8(privateKey));
    server.answer(issueTokens(1)); // expires at once (skew): every get() mints
    const origin = open(basic({ clientAuthentication: { method: 'PrivateKeyJwt', secretRef: { name: 'reports-oauth', key: 'key.pem' }, keyId: 'k1' } }));
    await origin.get();
    await new Promise((r) => setTimeout(r, 1100));
    await origin.get();
    expect(server.calls).toHaveLength(2);
    const jtis: unknown[] = [];
    for (const call of server.calls) {
      expect(call.form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(call.headers.authorization).toBeUndefined();
      const { payload, protectedHeader } = await jwtVerify(call.form.get('client_assertion') ?? '', publicKey, { audience: server.tokenEndpoint, issuer: 'reports', subject: 'reports' });
      expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'k1' });
      jtis.push(payload.jti);
    }
    expect(new Set(jtis).size).toBe(2);
  });

  it('refuses a PrivateKeyJwt key that is not PKCS#8 with OAUTH2_CLIENT_KEY_INVALID, without calling the server', async () => {
    writeFileSync(join(dir, 'sources/api/key.pem'), '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n');
    const origin = open(basic({ clientAuthentication: { method: 'PrivateKeyJwt', secretRef: { name: 'reports-oauth', key: 'key.pem' } } }));
    await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_CLIENT_KEY_INVALID' });
    expect(server.calls).toHaveLength(0);
  });

  it('mints once for 50 concurrent first calls', async () => {
    const slow = await startTokenServer({ delayMs: 200 });
    try {
      const origin = open(basic({ tokenEndpoint: slow.tokenEndpoint }));
      const tokens = await Promise.all(Array.from({ length: 50 }, async () => origin.get()));
      expect(new Set(tokens)).toEqual(new Set(['at-1']));
      expect(slow.calls).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('refreshes in the background at 70-80 % of the lifetime and keeps serving the current token meanwhile', async () => {
    server.answer(issueTokens(100));
    const origin = open(basic());
    expect(await origin.get()).toBe('at-1');
    offsetMs = 74_000; // random() = 0.5: refresh at 75 %
    expect(await origin.get()).toBe('at-1');
    expect(server.calls).toHaveLength(1);
    offsetMs = 76_000;
    expect(await origin.get()).toBe('at-1'); // served while the refresh runs
    // The refresh runs in the background: wait for it (a fixed 100 ms failed once on a loaded machine).
    for (let i = 0; i < 200 && server.calls.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(server.calls).toHaveLength(2);
    for (let i = 0; i < 200 && (await origin.get()) === 'at-1'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await origin.get()).toBe('at-2');
  });

  it('uses the last token only until its expiry while the endpoint is down, then fails closed with OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE and names it in problem()', async () => {
    server.answer(issueTokens(100));
    const origin = open(basic());
    expect(await origin.get()).toBe('at-1');
    await server.close();
    offsetMs = 90_000;
    expect(await origin.get()).toBe('at-1');
    await new Promise((r) => setTimeout(r, 100));
    expect(origin.problem()).toBeUndefined(); // still serving
    offsetMs = 96_000; // past expiry minus the 5 s skew
    const err = await Promise.resolve().then(() => origin.get()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PortcullisError);
    expect((err as PortcullisError).code).toBe('OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE');
    expect(origin.problem()).toMatch(/^OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE: minting an OAuth2 token for source "api": the token endpoint could not be reached \(ECONNREFUSED\)/);
  });

  it.each([
    ['invalid_client', 401, 'OAUTH2_CLIENT_REJECTED'],
    ['invalid_grant', 400, 'OAUTH2_GRANT_REJECTED'],
    ['invalid_scope', 400, 'OAUTH2_SCOPE_REJECTED'],
    ['invalid_target', 400, 'OAUTH2_SCOPE_REJECTED'],
    ['server_error', 500, 'OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE'],
  ])('surfaces the server error %s (%i) as %s in the error, the log line and the metric, never the secret', async (error, status, code) => {
    server.answer((_c, res) => jsonAnswer(res, status, { error, error_description: `refused: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl` }));
    const origin = open(basic());
    await expect(origin.get()).rejects.toMatchObject({ code });
    const text = logs.join('\n');
    expect(text).toContain(`"code":"${code}"`);
    // A 5xx is an outage whatever its body says; the OAuth2 error of a 4xx is logged, redacted.
    if (status < 500) expect(text).toContain(`"oauthError":"${error}: refused: [redacted]"`);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    const metric = await metrics.registry.getSingleMetricAsString('portcullis_sidecar_oauth2_token_requests_total');
    expect(metric).toContain(`{source="api",grant="client_credentials",result="${status >= 500 ? 'unavailable' : error}"} 1`);
  });

  it('refuses a token of another type than Bearer and an answer without expires_in with OAUTH2_ANSWER_INVALID', async () => {
    server.answer((_c, res) => jsonAnswer(res, 200, { access_token: 'x', token_type: 'DPoP', expires_in: 60 }));
    await expect(open(basic()).get()).rejects.toMatchObject({ code: 'OAUTH2_ANSWER_INVALID' });
    server.answer((_c, res) => jsonAnswer(res, 200, { access_token: 'x', token_type: 'Bearer' }));
    await expect(open(basic()).get()).rejects.toMatchObject({ code: 'OAUTH2_ANSWER_INVALID' });
  });

  it('finds the token endpoint through the issuer discovery document', async () => {
    const origin = open(withIssuer(basic(), `${server.url}/`));
    expect(await origin.get()).toBe('at-1');
    expect(server.calls[0]?.path).toBe('/oauth2/token');
  });

  it('refuses a discovery document whose issuer differs from the configured one with OAUTH2_DISCOVERY_FAILED', async () => {
    const other = await startTokenServer({ issuer: 'https://evil.example.com/' });
    try {
      const origin = open(withIssuer(basic(), `${other.url}/`));
      await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_DISCOVERY_FAILED' });
      expect(other.calls).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('mints nothing before the pod identity is verified', async () => {
    const origin = open(basic(), 'unverified');
    expect(() => origin.get()).toThrow(/before the pod identity is verified/);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.calls).toHaveLength(0);
  });

  describe('jwt-bearer with the pod projected token', () => {
    const jwtBearer = (): HttpOAuth2Origin => ({ tokenEndpoint: server.tokenEndpoint, allowPlaintext: true, grant: 'JwtBearer', scopes: ['reports.read'] });
    const nowSeconds = (): number => Math.floor(Date.now() / 1000);

    it('presents the projected token as the assertion, with no client authentication', async () => {
      const token = await projectedToken('jti-1', nowSeconds() + 600);
      writeFileSync(join(dir, 'origin-tokens/api'), token);
      const origin = open(jwtBearer());
      expect(await origin.get()).toBe('at-1');
      const call = server.calls[0];
      expect(call?.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      expect(call?.form.get('assertion')).toBe(token);
      expect(call?.headers.authorization).toBeUndefined();
      expect(call?.form.has('client_id')).toBe(false);
      expect(logs.join('\n')).not.toContain(token);
    });

    it('never presents one projected token twice: refuses with OAUTH2_ASSERTION_ALREADY_USED until the kubelet rotates it, then mints with the new one', async () => {
      writeFileSync(join(dir, 'origin-tokens/api'), await projectedToken('jti-1', nowSeconds() + 600));
      server.answer(issueTokens(1));
      const origin = open(jwtBearer());
      expect(await origin.get()).toBe('at-1');
      await new Promise((r) => setTimeout(r, 1100));
      await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_ASSERTION_ALREADY_USED' });
      expect(server.calls).toHaveLength(1);
      const rotated = await projectedToken('jti-2', nowSeconds() + 600);
      writeFileSync(join(dir, 'origin-tokens/api'), rotated);
      offsetMs = 60_000; // past the retry backoff
      expect(await origin.get()).toBe('at-2');
      expect(server.calls.map((c) => decodeJwt(c.form.get('assertion') ?? '').jti)).toEqual(['jti-1', 'jti-2']);
    });

    it('repeats the server refusal of a token (invalid_grant) instead of presenting it again or calling it "already used"', async () => {
      writeFileSync(join(dir, 'origin-tokens/api'), await projectedToken('jti-1', nowSeconds() + 600));
      server.answer((_c, res) => jsonAnswer(res, 400, { error: 'invalid_grant', error_description: 'audience mismatch' }));
      const origin = open(jwtBearer());
      await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_GRANT_REJECTED' });
      offsetMs = 60_000;
      await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_GRANT_REJECTED' });
      expect(server.calls).toHaveLength(1);
    });

    it('surfaces Hydra\'s jti_known answer (a token presented before a restart) as OAUTH2_ASSERTION_ALREADY_USED', async () => {
      writeFileSync(join(dir, 'origin-tokens/api'), await projectedToken('jti-1', nowSeconds() + 600));
      server.answer((_c, res) => jsonAnswer(res, 400, { error: 'jti_known', error_description: 'The jti was already used.' }));
      await expect(open(jwtBearer()).get()).rejects.toMatchObject({ code: 'OAUTH2_ASSERTION_ALREADY_USED' });
      const metric = await metrics.registry.getSingleMetricAsString('portcullis_sidecar_oauth2_token_requests_total');
      expect(metric).toContain('{source="api",grant="jwt_bearer",result="assertion_reused"} 1');
    });

    it('may present the token again when the first attempt never reached the server (connection refused)', async () => {
      writeFileSync(join(dir, 'origin-tokens/api'), await projectedToken('jti-1', nowSeconds() + 600));
      const down = await startTokenServer();
      const endpoint = down.tokenEndpoint;
      await down.close();
      const origin = open({ ...jwtBearer(), tokenEndpoint: endpoint });
      await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE' });
      offsetMs = 60_000;
      await expect(origin.get()).rejects.toMatchObject({ code: 'OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE' });
    });
  });
});
