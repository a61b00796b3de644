/**
 * SigV4 URI handling. One parser feeds both the classifier and the re-signer, so the resource Portcullis
 * authorizes is exactly the one the upstream acts on:
 *
 * - S3 signs the path "as sent": each segment URI-encoded once, `/` kept, no normalization (`//`, `.` and
 *   `..` are part of the key). We decode each segment to bytes and re-encode it with the SigV4 rules, and
 *   send that canonical form upstream, so `+`, `:` or `@` can never mean one thing to us and another to S3.
 * - Every other service signs the path normalized (`.`/`..`/empty segments removed) and encoded a second
 *   time on top of the wire form (`%20` → `%2520`). The wire path is forwarded unchanged.
 * - Query strings decode `+` as a space (what AWS front ends do) and are re-serialized fully encoded.
 */
import { AwsProtocolError } from '../errors/protocol-error.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const HEX = '0123456789ABCDEF';

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/** SigV4 UriEncode of raw bytes (or a string taken as UTF-8): unreserved bytes as-is, the rest as %XX. */
export function uriEncode(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (const byte of bytes) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4] ?? ''}${HEX[byte & 15] ?? ''}`;
  }
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Percent-decodes `input` to bytes. Characters outside ASCII are taken as UTF-8. Returns undefined on a
 * malformed escape (`%`, `%4`, `%zz`) so callers can raise the error code that fits their context.
 */
export function percentDecodeBytes(input: string, plusAsSpace = false): Buffer | undefined {
  if (!input.includes('%') && !(plusAsSpace && input.includes('+'))) return Buffer.from(input, 'utf8');
  const source = Buffer.from(input, 'utf8');
  const out = Buffer.allocUnsafe(source.length);
  let length = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] ?? 0;
    if (byte === 0x25) {
      const high = hexValue(source[i + 1] ?? -1);
      const low = hexValue(source[i + 2] ?? -1);
      if (high < 0 || low < 0) return undefined;
      out[length++] = high * 16 + low;
      i += 2;
    } else {
      out[length++] = plusAsSpace && byte === 0x2b ? 0x20 : byte;
    }
  }
  return out.subarray(0, length);
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Splits a raw path into its decoded segments (`/a/b%2Fc` → `['', 'a', 'b/c']`); strict UTF-8. */
export function decodePathSegments(rawPath: string): string[] {
  const segments = rawPath.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    const bytes = percentDecodeBytes(segment);
    const text = bytes === undefined ? undefined : decodeUtf8(bytes);
    if (text === undefined) {
      throw new AwsProtocolError('AWS_MALFORMED_PATH', `Path segment ${JSON.stringify(segment.slice(0, 64))} is not valid percent-encoded UTF-8`);
    }
    decoded.push(text);
  }
  return decoded;
}

/**
 * The canonical single-encoded form of an S3 path: each segment decoded to bytes and re-encoded, `/` kept,
 * nothing normalized. This is both what Portcullis sends upstream and the canonical URI S3 signs.
 */
export function canonicalS3Path(rawPath: string): string {
  if (rawPath === '') return '/';
  const parts: string[] = [];
  for (const segment of rawPath.split('/')) {
    const bytes = percentDecodeBytes(segment);
    if (bytes === undefined) {
      throw new AwsProtocolError('AWS_MALFORMED_PATH', `Path segment ${JSON.stringify(segment.slice(0, 64))} has an invalid percent-escape`);
    }
    parts.push(uriEncode(bytes));
  }
  return parts.join('/');
}

/** Removes empty and `.` segments and resolves `..`, keeping a leading and trailing `/` (RFC 3986 §5.2.4 as SigV4 applies it). */
export function sigv4NormalizePath(path: string): string {
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') kept.pop();
    else kept.push(segment);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = kept.length > 0 && path.endsWith('/') ? '/' : '';
  return `${lead}${kept.join('/')}${trail}`;
}

/** The canonical URI of a non-S3 request: the wire path normalized, then every segment encoded once more. */
export function canonicalNonS3Path(rawPath: string): string {
  const normalized = sigv4NormalizePath(rawPath === '' ? '/' : rawPath);
  return normalized
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

/** True when the signing name uses S3's path rules (single encoding, no normalization). */
export function usesS3PathRules(signingName: string): boolean {
  return signingName === 's3' || signingName === 's3-outposts' || signingName === 's3express' || signingName === 's3-object-lambda';
}

/** The SigV4 canonical URI for `rawPath` under the given signing name's rules. */
export function canonicalUri(rawPath: string, signingName: string): string {
  return usesS3PathRules(signingName) ? canonicalS3Path(rawPath) : canonicalNonS3Path(rawPath);
}

/** One query parameter, decoded. `hasEquals` remembers `?uploads` vs `?uploads=` so it is re-sent as written. */
export interface QueryParam {
  readonly name: string;
  readonly value: string;
  readonly hasEquals: boolean;
}

function decodeQueryComponent(raw: string): string {
  const bytes = percentDecodeBytes(raw, true);
  const text = bytes === undefined ? undefined : decodeUtf8(bytes);
  if (text === undefined) {
    throw new AwsProtocolError('AWS_MALFORMED_QUERY', `Query component ${JSON.stringify(raw.slice(0, 64))} is not valid percent-encoded UTF-8`);
  }
  return text;
}

/** Parses a raw query string (with or without the leading `?`); `+` is a space; strict percent-decoding. */
export function parseQuery(raw: string): QueryParam[] {
  const text = raw.startsWith('?') ? raw.slice(1) : raw;
  const params: QueryParam[] = [];
  if (text === '') return params;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const hasEquals = eq >= 0;
    params.push({
      name: decodeQueryComponent(hasEquals ? piece.slice(0, eq) : piece),
      value: hasEquals ? decodeQueryComponent(piece.slice(eq + 1)) : '',
      hasEquals,
    });
  }
  return params;
}

/** Accepts the raw string form or URLSearchParams (already decoded by WHATWG rules). */
export function toQueryParams(query: string | URLSearchParams | readonly QueryParam[]): QueryParam[] {
  if (typeof query === 'string') return parseQuery(query);
  if (query instanceof URLSearchParams) {
    const params: QueryParam[] = [];
    for (const [name, value] of query) params.push({ name, value, hasEquals: true });
    return params;
  }
  return [...query];
}

/** Re-serializes parameters in their original order, every name and value SigV4-encoded. */
export function serializeQuery(params: readonly QueryParam[]): string {
  return params.map((p) => (p.hasEquals || p.value !== '' ? `${uriEncode(p.name)}=${uriEncode(p.value)}` : uriEncode(p.name))).join('&');
}

/** The SigV4 canonical query string: encoded `name=value` pairs sorted by name, then value. */
export function canonicalQueryString(params: readonly QueryParam[]): string {
  const pairs = params.map((p) => [uriEncode(p.name), uriEncode(p.value)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** First value of a parameter by exact name, or undefined. */
export function queryValue(params: readonly QueryParam[], name: string): string | undefined {
  for (const p of params) if (p.name === name) return p.value;
  return undefined;
}
