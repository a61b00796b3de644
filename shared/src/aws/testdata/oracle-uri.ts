/**
 * Test oracle: URI rules written from the AWS SigV4 documentation, independently of shared/src/aws/request/uri.ts.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html ("UriEncode")
 */
import type { QueryParam } from '../request/uri.js';
import { oracleError } from './oracle-error.js';

const UNRESERVED_CHAR = /^[A-Za-z0-9\-._~]$/;

/**
 * SigV4 UriEncode: every byte but the unreserved characters A-Z a-z 0-9 - . _ ~ becomes %XX with
 * uppercase hex; a string is taken as its UTF-8 bytes.
 */
export function awsUriEncode(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-decodes to raw bytes (no UTF-8 check: an S3 key is bytes); undefined on a stray `%`. */
function percentDecode(segment: string): Buffer | undefined {
  // Splitting on a capturing group leaves the escapes at the odd indexes.
  const parts = segment.split(/(%[0-9A-Fa-f]{2})/);
  const chunks: Buffer[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 1) chunks.push(Buffer.of(Number.parseInt(part.slice(1), 16)));
    else if (part.includes('%')) return undefined;
    else chunks.push(Buffer.from(part, 'utf8'));
  }
  return Buffer.concat(chunks);
}

/**
 * The path sent to S3, which is also the canonical URI S3 signs. AWS rule: S3 paths are URI-encoded
 * once and not normalized ("Each path segment must be URI-encoded twice, except for Amazon S3 which only
 * gets URI-encoded once"; "do not normalize URI paths for requests to Amazon S3"). Portcullis decodes each
 * segment and re-encodes it so the key S3 sees is the one it authorized; smithy (uriEscapePath false)
 * signs whatever path it is given, so the oracle hands it this form.
 */
export function s3WirePath(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath
    .split('/')
    .map((segment) => {
      const bytes = percentDecode(segment);
      if (bytes === undefined) throw oracleError('AWS_MALFORMED_PATH', `bad escape in ${segment}`);
      return awsUriEncode(bytes);
    })
    .join('/');
}

function decodeQueryPart(raw: string): string {
  // `+` is a space on the wire (form encoding, as AWS front ends read it); an escaped `%2B` stays `+`.
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    throw oracleError('AWS_MALFORMED_QUERY', `bad escape in ${raw}`);
  }
}

/** The app's query parameters, decoded, in order; `hasEquals` tells `?uploads` from `?uploads=`. */
export function appQueryParams(query: string | URLSearchParams | readonly QueryParam[]): QueryParam[] {
  if (query instanceof URLSearchParams) return [...query].map(([name, value]) => ({ name, value, hasEquals: true }));
  if (typeof query !== 'string') return query.map((p) => ({ ...p }));
  const pieces = (query.startsWith('?') ? query.slice(1) : query).split('&').filter((piece) => piece !== '');
  return pieces.map((piece) => {
    const eq = piece.indexOf('=');
    if (eq < 0) return { name: decodeQueryPart(piece), value: '', hasEquals: false };
    return { name: decodeQueryPart(piece.slice(0, eq)), value: decodeQueryPart(piece.slice(eq + 1)), hasEquals: true };
  });
}

/** The query sent upstream: the parameters in their order, each name and value SigV4-encoded, `?uploads` kept bare. */
export function wireQuery(params: readonly QueryParam[]): string {
  const pieces: string[] = [];
  for (const { name, value, hasEquals } of params) {
    const bare = !hasEquals && value === '';
    pieces.push(bare ? awsUriEncode(name) : `${awsUriEncode(name)}=${awsUriEncode(value)}`);
  }
  return pieces.join('&');
}
