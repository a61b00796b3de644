import { describe, expect, it } from '@jest/globals';
import { KeyObject } from 'node:crypto';
import { amzDateOf, canonicalHeaders, signingQuery } from './canonical-request.js';
import { parseSigV4, type SigV4Scope } from './credential-scope.js';
import { resolveEndpoint, type ResolvedEndpoint } from '../endpoints/resolve-endpoint.js';
import type { HeaderMap } from '../request/headers.js';
import { resignRequest } from './resign.js';
import type { AwsCredentials, ResignInput } from './resign-common.js';
import { SigningKeyCache } from './signing-key-cache.js';
import { smithyResign, type OracleResult } from '../testdata/smithy-resign.js';
import { parseQuery } from '../request/uri.js';
import { prng } from '../../testing/prng.js';

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

// Path and query pieces where encodings differ between services and SDKs: dot segments, empty segments,
// reserved and sub-delimiter characters, escapes (including an escaped slash), non-ASCII, spaces.
const PATH_PIECES = ['a', 'B', '', '.', '..', 'a b', 'a%20b', 'a+b', '%2F', '%E2%82%AC', 'é', '~x_y-z.', ':@=', "!'()*", '$&,;', 'k%3Dv', '%FF', 'bad%4'];
const QUERY_NAMES = ['a', 'B', 'prefix', 'list-type', 'uploads', 'x-amz-signature', 'X-Amz-Meta', 'é', 'a b', 'versionId', 'Action'];
const QUERY_VALUES = ['', '1', '2', 'a b', 'a+b', '%2B', 'é', '/x/y', "!'()*", '~', 'v%201'];
const HEADER_NAMES = [
  'content-type',
  'content-md5',
  'x-amz-meta-a',
  'x-amz-target',
  'x-amz-user-agent',
  'x-amz-acl',
  'user-agent',
  'date',
  'expect',
  'proxy-foo',
  'sec-fetch-mode',
  'x-amzn-trace-id',
  'cache-control',
  'referer',
  'from',
  'range',
  'if-match',
  'x-custom',
  'content-encoding',
  'x-amz-decoded-content-length',
];
// Never forwarded (the app's credentials, hop-by-hop headers), and Connection values naming other headers.
const DROPPED_HEADER_NAMES = ['x-amz-security-token', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'http2-settings'];
const CONNECTION_VALUES = ['close', 'keep-alive', 'x-custom', 'Content-Type, x-amz-meta-a', 'upgrade, X-Amz-Acl'];
const HEADER_VALUES = ['x', 'a b', 'a  b', '  a   b  ', 'a\tb', ' lead', 'trail ', '\ta', 'é', 'a,b', '', ' ', 'a\nb', 'UPPER Case'];
// The last two are refused: uppercase hex, and SigV4a streaming.
const PAYLOADS = [undefined, undefined, 'a'.repeat(64), 'UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'A'.repeat(64), 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'];
const ENDPOINTS: readonly ResolvedEndpoint[] = [
  resolveEndpoint({ service: 's3', region: 'us-east-1' }),
  resolveEndpoint({ service: 's3', region: 'eu-west-1', override: 'http://127.0.0.1:9000' }),
  resolveEndpoint({ service: 'dynamodb', region: 'eu-west-1' }),
  resolveEndpoint({ service: 'execute-api', region: 'us-west-2', override: 'https://abc.execute-api.us-west-2.amazonaws.com' }),
  resolveEndpoint({ service: 'sts', region: 'us-east-1' }),
  resolveEndpoint({ service: 'bedrock', region: 'us-east-1', path: '/model/m/invoke' }),
];
const CREDENTIALS: readonly AwsCredentials[] = [
  { accessKeyId: 'AKIAREAL000000000001', secretAccessKey: 'real/secret+key' },
  { accessKeyId: 'ASIAREAL000000000002', secretAccessKey: 'other-secret', sessionToken: 'session/token+=' },
  { accessKeyId: 'ASIAREAL000000000003', secretAccessKey: 'third-secret', sessionToken: '' },
];

function randomPath(rnd: () => number): string {
  if (rnd() < 0.05) return '';
  const n = Math.floor(rnd() * 5);
  let path = '';
  for (let i = 0; i < n; i++) path += `/${pick(rnd, PATH_PIECES)}`;
  const relative = rnd() < 0.05 ? path.slice(1) : path;
  return rnd() < 0.2 ? `${relative}/` : relative === '' ? '/' : relative;
}

function randomQuery(rnd: () => number): string {
  const parts: string[] = [];
  const n = Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) {
    const name = encodeURIComponent(pick(rnd, QUERY_NAMES)).replace(/%20/g, rnd() < 0.5 ? '+' : '%20');
    const value = encodeURIComponent(pick(rnd, QUERY_VALUES));
    parts.push(value === '' && rnd() < 0.5 ? name : `${name}=${value}`);
  }
  return parts.join('&');
}

function randomHeaders(rnd: () => number): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const n = Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) {
    const name = pick(rnd, HEADER_NAMES);
    headers[name] = rnd() < 0.1 ? [pick(rnd, HEADER_VALUES), pick(rnd, HEADER_VALUES)] : pick(rnd, HEADER_VALUES);
  }
  if (rnd() < 0.15) headers[pick(rnd, DROPPED_HEADER_NAMES)] = pick(rnd, HEADER_VALUES);
  if (rnd() < 0.15) headers.connection = pick(rnd, CONNECTION_VALUES);
  return headers;
}

/** Some of the headers present, some absent, always host: what an app's SDK might have signed. */
function randomSignedList(rnd: () => number, headers: Readonly<Record<string, unknown>>): string[] {
  const names = new Set(['host']);
  for (const name of Object.keys(headers)) if (rnd() < 0.7) names.add(name);
  if (rnd() < 0.3) names.add(pick(rnd, HEADER_NAMES));
  if (rnd() < 0.5) names.add('x-amz-content-sha256');
  return [...names];
}

const ZEROS = '0'.repeat(64);

function headerRequest(rnd: () => number, now: Date): { headers: HeaderMap; query: string; scope: SigV4Scope } {
  const headers: Record<string, string | string[]> = randomHeaders(rnd);
  const payload = pick(rnd, PAYLOADS);
  if (payload !== undefined) headers['x-amz-content-sha256'] = payload;
  const signed = randomSignedList(rnd, headers).join(';');
  const amzDate = amzDateOf(now);
  const authorization = `AWS4-HMAC-SHA256 Credential=placeholder/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=${signed}, Signature=${ZEROS}`;
  const all = { ...headers, authorization, 'x-amz-date': amzDate, host: 'localhost:4566' };
  const query = randomQuery(rnd);
  const scope = parseSigV4({ headers: all, query });
  if (scope === undefined) throw new Error('unsigned');
  return { headers: all, query, scope };
}

function presignedRequest(rnd: () => number, now: Date): { headers: HeaderMap; query: string; scope: SigV4Scope } {
  const headers: Record<string, string | string[]> = { ...randomHeaders(rnd), host: 'localhost:9000' };
  if (rnd() < 0.3) headers['x-amz-content-sha256'] = pick(rnd, ['UNSIGNED-PAYLOAD', 'b'.repeat(64)]);
  const signed = randomSignedList(rnd, headers).join(';');
  // Issued up to 10 minutes ago, or up to 2 minutes ahead (a skewed app clock).
  const issued = amzDateOf(new Date(now.getTime() - Math.floor(rnd() * 720_000) + 120_000));
  const auth = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=placeholder%2F${issued.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request`,
    `X-Amz-Date=${issued}`,
    `X-Amz-Expires=${pick(rnd, ['1', '900', '3600', '604800'])}`,
    `X-Amz-SignedHeaders=${encodeURIComponent(signed)}`,
    ...(rnd() < 0.3 ? ['X-Amz-Security-Token=placeholder-token'] : []),
    `X-Amz-Signature=${ZEROS}`,
  ];
  const rest = randomQuery(rnd);
  const query = [...(rest === '' ? [] : [rest]), ...auth].join('&');
  const scope = parseSigV4({ headers, query });
  if (scope === undefined) throw new Error('unsigned');
  return { headers, query, scope };
}

type Outcome = { ok: OracleResult | ReturnType<typeof resignRequest> } | { error: string };

function comparable(out: OracleResult | ReturnType<typeof resignRequest>): unknown {
  const streaming = out.streaming === undefined ? undefined : { ...out.streaming, signingKey: Buffer.from(out.streaming.signingKey instanceof KeyObject ? out.streaming.signingKey.export() : out.streaming.signingKey).toString('hex') };
  return { method: out.method, target: out.target, headers: { ...out.headers }, streaming };
}

async function outcome(run: () => Promise<OracleResult> | ReturnType<typeof resignRequest>): Promise<unknown> {
  let result: Outcome;
  try {
    result = { ok: await run() };
  } catch (err) {
    result = { error: (err as { code?: string }).code ?? String(err) };
  }
  return 'ok' in result ? comparable(result.ok) : result;
}

describe('the direct SigV4 signer', () => {
  it('signs every random request exactly as the @smithy/signature-v4 re-signer did (header and presigned)', async () => {
    const keys = new SigningKeyCache(4);
    let compared = 0;
    let streaming = 0;
    const refusals = new Set<string>();
    for (let seed = 1; seed <= 3000; seed++) {
      const rnd = prng(seed);
      const now = new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 10 * 365 * 86_400_000));
      const presigned = rnd() < 0.3;
      const { headers, query, scope } = presigned ? presignedRequest(rnd, now) : headerRequest(rnd, now);
      const endpoint = pick(rnd, ENDPOINTS);
      const input: ResignInput = {
        method: pick(rnd, ['GET', 'PUT', 'POST', 'DELETE', 'HEAD']),
        path: randomPath(rnd),
        // A malformed parameter the proxy's parser (not parseSigV4's) meets, now and then.
        query: rnd() < 0.03 ? `${query}&${pick(rnd, ['bad=%E2%82', 'bad=%zz', '%'])}` : query,
        headers,
        scope,
        credentials: pick(rnd, CREDENTIALS),
        endpoint,
        now,
        ...(rnd() < 0.6 ? { payloadSha256: 'c'.repeat(64) } : {}),
        ...(rnd() < 0.5 ? { signingKeys: keys } : {}),
      };
      const want = await outcome(() => smithyResign(input));
      const got = await outcome(() => resignRequest(input));
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`seed ${seed}: ${JSON.stringify(input)}\n got ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`);
      }
      compared++;
      const expected = want as { error?: string; streaming?: unknown };
      if (expected.error !== undefined) refusals.add(expected.error);
      if (expected.streaming !== undefined) streaming++;
    }
    expect(compared).toBe(3000);
    // The random requests reach every refusal and the aws-chunked context, so each is compared too.
    expect([...refusals].sort()).toEqual(['AWS_MALFORMED_PATH', 'AWS_MALFORMED_QUERY', 'AWS_PAYLOAD_HASH_REQUIRED', 'AWS_PRESIGNED_URL_EXPIRED', 'AWS_UNSUPPORTED_PAYLOAD_SIGNING']);
    expect(streaming).toBeGreaterThan(100);
  });
});

describe('canonicalHeaders', () => {
  it('never signs the headers the AWS SDK never signs, and trims values the way it does', () => {
    const c = canonicalHeaders({
      host: 'h',
      'user-agent': 'ua',
      date: 'd',
      'proxy-x': 'p',
      'sec-fetch-mode': 's',
      expect: '100-continue',
      'x-amz-meta-a': '  a \t\t b  ',
      'x-amz-date': '20260101T000000Z',
    });
    expect(c.signedHeaders).toBe('host;x-amz-date;x-amz-meta-a');
    expect(c.block).toBe('host:h\nx-amz-date:20260101T000000Z\nx-amz-meta-a:a b');
  });
});

describe('signingQuery', () => {
  it('leaves out a signature parameter in any case and sorts by encoded name, then value', () => {
    expect(signingQuery(parseQuery('b=2&x-amz-signature=s&a=2&a=1&X-Amz-Signature=t&%C3%A9=1'))).toBe('%C3%A9=1&a=1&a=2&b=2');
  });
});

describe('amzDateOf', () => {
  it('formats the signing time without separators or milliseconds', () => {
    expect(amzDateOf(new Date('2026-11-22T14:49:13.970Z'))).toBe('20261122T144913Z');
    expect(amzDateOf(new Date('0999-01-02T03:04:05Z'))).toBe('09990102T030405Z');
    expect(amzDateOf(new Date(Date.UTC(10000, 0, 1)))).toBe('+0100000101T000000Z');
  });
});

describe('amzDateOf', () => {
  it('formats every signing time to its own second, whatever was formatted before (one second is remembered)', () => {
    const times = ['2026-12-07T16:20:52.001Z', '2026-12-07T16:20:52.999Z', '2026-12-07T16:20:53.000Z', '2026-12-07T16:20:52.500Z', '1999-12-31T23:59:59.999Z', '2026-12-07T16:20:53.400Z'];
    for (const t of times) expect(amzDateOf(new Date(t))).toBe(t.replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, ''));
    expect(amzDateOf(new Date(Date.UTC(12026, 0, 1)))).toBe('+0120260101T000000Z');
    expect(() => amzDateOf(new Date(NaN))).toThrow(RangeError);
  });
});
