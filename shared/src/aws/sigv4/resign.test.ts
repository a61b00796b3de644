import { describe, expect, it } from '@jest/globals';
import { parseSigV4, type SigV4Scope } from './credential-scope.js';
import { resolveEndpoint, type ResolvedEndpoint } from '../endpoints/resolve-endpoint.js';
import { appStreamContext, resignRequest } from './resign.js';
import { sha256Hex } from './signing-key.js';
import { codeOf, loadVectors, type SigV4Suite, type StreamingVectors } from '../testdata/load.js';

const suite = loadVectors<SigV4Suite>('sigv4-suite.json');
const streaming = loadVectors<StreamingVectors>('sigv4-streaming.json');

const PLACEHOLDER = { accessKeyId: 'AKIAPORTCULLISPLACEH', secretAccessKey: 'placeholder-secret-never-valid' };
const REAL = { accessKeyId: 'AKIAREALKEY000000001', secretAccessKey: 'real/secret+key' };

function scopeOf(authorization: string, headers: Record<string, string> = {}): SigV4Scope {
  const scope = parseSigV4({ headers: { ...headers, authorization }, query: '' });
  if (scope === undefined) throw new Error('no scope');
  return scope;
}

/** The Authorization an app sends for 2026-01-01 in us-east-1, signed (with a made-up signature) under the placeholder key. */
function appAuthorizationFor(service: string, signedHeaders: string, signatureDigit: string): string {
  return `AWS4-HMAC-SHA256 Credential=${PLACEHOLDER.accessKeyId}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signatureDigit.repeat(64)}`;
}

function signatureOf(authorization: string | undefined): string {
  return /Signature=([0-9a-f]{64})$/.exec(authorization ?? '')?.[1] ?? '';
}

describe('resignRequest against the AWS SigV4 test suite', () => {
  const endpoint: ResolvedEndpoint = resolveEndpoint({ service: suite.service, region: suite.region, override: `https://${suite.host}` });
  const now = new Date(suite.signingDate);

  for (const c of suite.cases) {
    it(`reproduces the Authorization of ${c.name}`, () => {
      // The app signed with a placeholder key; the expected value is what the real key produces.
      const appAuthorization = c.authorization.replace('AKIDEXAMPLE', PLACEHOLDER.accessKeyId).replace(/Signature=[0-9a-f]{64}/, `Signature=${'0'.repeat(64)}`);
      const headers = { ...c.headers, host: 'localhost:4566', 'x-amz-date': '20150830T123600Z', authorization: appAuthorization };
      const out = resignRequest({
        method: c.method,
        path: c.path,
        query: c.query,
        headers,
        scope: scopeOf(appAuthorization, headers),
        credentials: c.sessionToken === undefined ? suite.credentials : { ...suite.credentials, sessionToken: c.sessionToken },
        endpoint,
        now,
        payloadSha256: sha256Hex(c.body ?? ''),
      });
      expect(out.headers.authorization).toBe(c.authorization);
      expect(out.headers.host).toBe(suite.host);
      expect(out.headers['x-amz-date']).toBe('20150830T123600Z');
      expect(out.headers['x-amz-content-sha256']).toBeUndefined();
    });
  }
});

describe('resignRequest for S3', () => {
  const endpoint = resolveEndpoint({ service: 's3', region: 'us-east-1' });

  it('reproduces the seed signature of the AWS streaming PUT example', () => {
    const s = streaming.signed;
    const appAuthorization = `AWS4-HMAC-SHA256 Credential=${PLACEHOLDER.accessKeyId}/20130524/us-east-1/s3/aws4_request, SignedHeaders=${s.signedHeaders}, Signature=${'1'.repeat(64)}`;
    const headers = { ...s.headers, host: '127.0.0.1:15001', authorization: appAuthorization, 'user-agent': 'aws-sdk-js/3' };
    const out = resignRequest({
      method: s.method,
      path: s.path,
      query: '',
      headers,
      scope: scopeOf(appAuthorization, headers),
      credentials: streaming.credentials,
      endpoint: { ...endpoint, url: new URL(`https://${s.host}`) },
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(signatureOf(out.headers.authorization)).toBe(s.seedSignature);
    expect(out.headers.authorization).toContain(`SignedHeaders=${s.signedHeaders},`);
    expect(out.streaming).toMatchObject({
      payload: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      amzDate: '20130524T000000Z',
      scope: '20130524/us-east-1/s3/aws4_request',
      seedSignature: s.seedSignature,
    });
    expect(out.headers['content-encoding']).toBe('aws-chunked');
    expect(out.headers['x-amz-decoded-content-length']).toBe('66560');
    expect(out.headers['user-agent']).toBe('aws-sdk-js/3');
  });

  it('strips the app credentials and hop-by-hop headers and never forwards the placeholder key', () => {
    const appAuthorization = appAuthorizationFor('s3', 'host;x-amz-content-sha256;x-amz-date;x-amz-security-token', '2');
    const headers = {
      host: 'localhost',
      authorization: appAuthorization,
      'x-amz-date': '20260101T000000Z',
      'x-amz-security-token': 'placeholder-token',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      connection: 'keep-alive, x-secret-hop',
      'x-secret-hop': '1',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'transfer-encoding': 'chunked',
      expect: '100-continue',
    };
    const out = resignRequest({
      method: 'PUT',
      path: '/b/k',
      query: '',
      headers,
      scope: scopeOf(appAuthorization, headers),
      credentials: REAL,
      endpoint,
      now: new Date('2026-01-01T00:00:10Z'),
    });
    const serialized = JSON.stringify(out);
    expect(serialized).not.toContain(PLACEHOLDER.accessKeyId);
    expect(serialized).not.toContain('placeholder-token');
    expect(out.headers['x-amz-security-token']).toBeUndefined();
    expect(out.headers['proxy-authorization']).toBeUndefined();
    expect(out.headers['x-secret-hop']).toBeUndefined();
    expect(out.headers['transfer-encoding']).toBeUndefined();
    expect(out.headers.expect).toBe('100-continue');
    expect(out.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAREALKEY000000001\/20260101\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, /);
    expect(out.headers['x-amz-date']).toBe('20260101T000010Z');
    expect(out.streaming).toBeUndefined();
  });

  /** An unsigned-payload S3 GET the app signed under the placeholder key, re-signed at 2026-01-01T00:00:00Z. */
  function resignS3Get(path: string, query: string, credentials: typeof REAL & { sessionToken?: string }, signatureDigit: string): ReturnType<typeof resignRequest> {
    const appAuthorization = appAuthorizationFor('s3', 'host;x-amz-content-sha256;x-amz-date', signatureDigit);
    const headers = { authorization: appAuthorization, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    return resignRequest({ method: 'GET', path, query, headers, scope: scopeOf(appAuthorization), credentials, endpoint, now: new Date('2026-01-01T00:00:00Z') });
  }

  it('adds the real session token and signs it', () => {
    const out = resignS3Get('/b/k', '', { ...REAL, sessionToken: 'real-session-token' }, '3');
    expect(out.headers['x-amz-security-token']).toBe('real-session-token');
    expect(out.headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
  });

  it('sends the canonical single-encoded S3 path, keeping dot segments and double slashes', () => {
    const out = resignS3Get('/b/a+b//./../%E2%82%AC%2Fx:y@z=w', 'prefix=a+b&list-type=2&uploads', REAL, '4');
    expect(out.target).toBe('/b/a%2Bb//./../%E2%82%AC%2Fx%3Ay%40z%3Dw?prefix=a%20b&list-type=2&uploads');
  });

  it('refuses an unsupported payload signing mode', () => {
    const appAuthorization = appAuthorizationFor('s3', 'host;x-amz-content-sha256;x-amz-date', '5');
    const headers = { authorization: appAuthorization, 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' };
    const attempt = (): unknown => resignRequest({ method: 'PUT', path: '/b/k', query: '', headers, scope: scopeOf(appAuthorization), credentials: REAL, endpoint, now: new Date() });
    expect(codeOf(attempt)).toBe('AWS_UNSUPPORTED_PAYLOAD_SIGNING');
  });

  it('requires a payload hash when the app sent no x-amz-content-sha256', () => {
    const appAuthorization = appAuthorizationFor('dynamodb', 'host;x-amz-date', '6');
    const attempt = (): unknown =>
      resignRequest({
        method: 'POST',
        path: '/',
        query: '',
        headers: { authorization: appAuthorization },
        scope: scopeOf(appAuthorization),
        credentials: REAL,
        endpoint: resolveEndpoint({ service: 'dynamodb', region: 'us-east-1' }),
        now: new Date(),
      });
    expect(codeOf(attempt)).toBe('AWS_PAYLOAD_HASH_REQUIRED');
  });

  it('gives a verifier context that reproduces the app placeholder chain', () => {
    const scope = scopeOf(
      `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${streaming.signed.seedSignature}`,
      { 'x-amz-date': '20130524T000000Z' },
    );
    const ctx = appStreamContext(scope, streaming.credentials.secretAccessKey);
    expect(ctx).toMatchObject({ amzDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request', seedSignature: streaming.signed.seedSignature });
  });
});

describe('resignRequest for presigned URLs', () => {
  const endpoint = resolveEndpoint({ service: 's3', region: 'us-east-1' });
  const appQuery = [
    'versionId=v%201',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${PLACEHOLDER.accessKeyId}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request`,
    'X-Amz-Date=20260101T000000Z',
    'X-Amz-Expires=900',
    'X-Amz-SignedHeaders=host',
    'X-Amz-Security-Token=placeholder-token',
    `X-Amz-Signature=${'7'.repeat(64)}`,
  ].join('&');

  function presignedScope(): SigV4Scope {
    const scope = parseSigV4({ headers: {}, query: appQuery });
    if (scope === undefined) throw new Error('no scope');
    return scope;
  }

  /** The app's presigned GET /b/k, re-signed at `now`. */
  function resignAppUrl(now: string, headers: Record<string, string> = {}, credentials: typeof REAL & { sessionToken?: string } = REAL): ReturnType<typeof resignRequest> {
    return resignRequest({ method: 'GET', path: '/b/k', query: appQuery, headers, scope: presignedScope(), credentials, endpoint, now: new Date(now) });
  }

  it('re-signs with the real key for the remaining lifetime of the app URL', () => {
    const out = resignAppUrl('2026-01-01T00:05:00Z', { host: 'localhost:9000', 'user-agent': 'curl' }, { ...REAL, sessionToken: 'real-token' });
    const [path, query = ''] = out.target.split('?');
    expect(path).toBe('/b/k');
    const params = new URLSearchParams(query);
    expect(params.get('versionId')).toBe('v 1');
    expect(params.get('X-Amz-Credential')).toBe('AKIAREALKEY000000001/20260101/us-east-1/s3/aws4_request');
    expect(params.get('X-Amz-Date')).toBe('20260101T000500Z');
    expect(params.get('X-Amz-Expires')).toBe('600');
    expect(params.get('X-Amz-SignedHeaders')).toBe('host');
    expect(params.get('X-Amz-Security-Token')).toBe('real-token');
    expect(params.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(params.getAll('X-Amz-Signature')).toHaveLength(1);
    expect(out.target).not.toContain('placeholder');
    expect(out.headers.host).toBe('s3.us-east-1.amazonaws.com');
    expect(out.headers.authorization).toBeUndefined();
  });

  it('computes the same signature an SDK presigner computes for the same inputs', async () => {
    // Independent check: S3 query auth signs UNSIGNED-PAYLOAD and the canonical query without the signature.
    const out = resignAppUrl('2026-01-01T00:00:00Z');
    const { createHmac, createHash } = await import('node:crypto');
    const params = new URLSearchParams(out.target.split('?')[1]);
    const signature = params.get('X-Amz-Signature');
    params.delete('X-Amz-Signature');
    const canonicalQuery = [...params]
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .sort()
      .join('&');
    const canonical = `GET\n/b/k\n${canonicalQuery}\nhost:s3.us-east-1.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD`;
    const sts = `AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/us-east-1/s3/aws4_request\n${createHash('sha256').update(canonical).digest('hex')}`;
    let key: Buffer = createHmac('sha256', `AWS4${REAL.secretAccessKey}`).update('20260101').digest();
    for (const part of ['us-east-1', 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    expect(signature).toBe(createHmac('sha256', key).update(sts).digest('hex'));
  });

  it('refuses an expired presigned URL', () => {
    expect(codeOf(() => resignAppUrl('2026-01-01T00:15:00Z'))).toBe('AWS_PRESIGNED_URL_EXPIRED');
  });
});
