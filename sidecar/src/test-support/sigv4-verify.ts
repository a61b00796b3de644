// An independent SigV4 verifier for fake AWS upstreams: written from the SigV4 spec without the code under
// test (only the header parser is shared), so a signer bug is not mirrored by the check.
import { createHash, createHmac } from 'node:crypto';
import { parseSigV4 } from '@portcullis/shared';

export interface KeyPair {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface VerifiedRequest {
  readonly accessKeyId: string;
  readonly service: string;
  readonly region: string;
  readonly amzDate: string;
  readonly signature: string;
  readonly signingKey: Buffer;
  readonly scope: string;
  readonly presigned: boolean;
}

export type Verdict = { ok: true; request: VerifiedRequest } | { ok: false; code: string; reason: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: only A-Z a-z 0-9 - . _ ~ stay. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(path: string, s3: boolean): string {
  if (s3) return path.split('/').map((seg) => encode(decodeURIComponent(seg))).join('/');
  const kept: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') kept.pop();
    else kept.push(seg);
  }
  const trail = kept.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${kept.map((seg) => encode(seg)).join('/')}${trail}`;
}

function canonicalQuery(query: string, presigned: boolean): string {
  const pairs: [string, string][] = [];
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(piece.slice(eq + 1));
    if (presigned && name === 'X-Amz-Signature') continue;
    pairs.push([encode(name), encode(value)]);
  }
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

type Scope = NonNullable<ReturnType<typeof parseSigV4>>;

/** The payload hash to sign with, checked against the body when it is a hash. */
function payloadOf(scope: Scope, headers: Headers, body: Buffer | undefined): string | Verdict {
  const payload = header(headers, 'x-amz-content-sha256') ?? (scope.presigned && scope.service === 's3' ? 'UNSIGNED-PAYLOAD' : sha256(body ?? Buffer.alloc(0)));
  if (/^[0-9a-f]{64}$/.test(payload) && body !== undefined && sha256(body) !== payload) {
    return { ok: false, code: 'XAmzContentSHA256Mismatch', reason: 'body does not match x-amz-content-sha256' };
  }
  return payload;
}

function parse(headers: Headers, query: string): Scope | Verdict {
  try {
    return parseSigV4({ headers, query }) ?? { ok: false, code: 'AccessDenied', reason: 'unsigned request' };
  } catch (err) {
    return { ok: false, code: 'AuthorizationHeaderMalformed', reason: (err as Error).message };
  }
}

/** A wrong or missing session token, or an expired presigned URL. */
function refusal(scope: Scope, query: string, headers: Headers, key: KeyPair, now: Date): Verdict | undefined {
  const token = scope.presigned ? (new URLSearchParams(query).get('X-Amz-Security-Token') ?? undefined) : header(headers, 'x-amz-security-token');
  if (token !== key.sessionToken) return { ok: false, code: 'InvalidToken', reason: 'session token missing or wrong' };
  if (!scope.presigned) return undefined;
  const d = scope.amzDate ?? '';
  const t = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));
  return t + (scope.expiresSeconds ?? 0) * 1000 < now.getTime() ? { ok: false, code: 'AccessDenied', reason: 'Request has expired' } : undefined;
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/**
 * Verifies a received request's SigV4 signature (header or presigned) against `keys`; `body` is needed
 * when the payload hash is neither sent nor UNSIGNED (the hash is then checked against it too).
 */
export function verifySigV4(method: string, url: string, headers: Headers, body: Buffer | undefined, keys: ReadonlyMap<string, KeyPair>, now = new Date()): Verdict {
  const [path = '', query = ''] = url.split(/\?(.*)/s);
  const scope = parse(headers, query);
  if ('ok' in scope) return scope;
  const key = keys.get(scope.accessKeyId);
  if (!key) return { ok: false, code: 'InvalidAccessKeyId', reason: `unknown access key ${scope.accessKeyId}` };
  const refused = refusal(scope, query, headers, key, now);
  if (refused) return refused;
  const amzDate = scope.amzDate ?? '';
  const s3 = scope.service === 's3';
  const payload = payloadOf(scope, headers, body);
  if (typeof payload !== 'string') return payload;
  const canonicalHeaders = scope.signedHeaders.map((n) => `${n}:${(header(headers, n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [method, canonicalPath(path, s3), canonicalQuery(query, scope.presigned), canonicalHeaders, scope.signedHeaders.join(';'), payload].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonical)].join('\n');
  const kSigning = signingKey(key.secretAccessKey, scope.date, scope.region, scope.service);
  const expected = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  if (expected !== scope.signature) return { ok: false, code: 'SignatureDoesNotMatch', reason: `canonical request was:\n${canonical}` };
  return {
    ok: true,
    request: { accessKeyId: scope.accessKeyId, service: scope.service, region: scope.region, amzDate, signature: expected, signingKey: kSigning, scope: credentialScope, presigned: scope.presigned },
  };
}
