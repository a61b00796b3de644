/**
 * Which of the app's headers go upstream, and which of those get signed.
 */
import type { HeaderMap } from '../request/headers.js';

/** Never forwarded: the app's credentials and signing artefacts, Host, and hop-by-hop headers (RFC 9110 §7.6.1). */
const DROPPED = new Set([
  'authorization',
  'x-amz-security-token',
  'x-amz-date',
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** The lowercase names a `Connection` header lists; undefined when it lists none (the common case). */
function connectionListed(connection: string | readonly string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const listed = new Set<string>();
  for (const value of typeof connection === 'string' ? [connection] : connection) {
    for (const token of value.split(',')) listed.add(token.trim().toLowerCase());
  }
  return listed;
}

/**
 * The app's headers minus credentials, Host, hop-by-hop headers, the headers its `Connection` header
 * names and any in `strip` (lowercase). Repeated headers are joined with `,`. Names are lowercase; a
 * name repeated in another case keeps its first place and its last value. A record without a prototype,
 * in the app's order: the re-signer sends it as it is, with its own headers added.
 */
export function forwardableRecord(headers: HeaderMap, strip?: ReadonlySet<string>): Record<string, string> {
  const listed = connectionListed(headers.connection);
  const out = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (DROPPED.has(lower) || listed?.has(lower) === true || strip?.has(lower) === true || lower.startsWith(':') || lower.startsWith('proxy-')) continue;
    const value = headers[name];
    if (value === undefined) continue;
    out[lower] = typeof value === 'string' ? value : value.join(',');
  }
  return out;
}

/** forwardableRecord as a Map (names as its keys, in the same order but for integer-like names). */
export function forwardableHeaders(headers: HeaderMap, strip?: ReadonlySet<string>): Map<string, string> {
  const listed = connectionListed(headers.connection);
  const out = new Map<string, string>();
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (DROPPED.has(lower) || listed?.has(lower) === true || strip?.has(lower) === true || lower.startsWith(':') || lower.startsWith('proxy-')) continue;
    const value = headers[name];
    if (value === undefined) continue;
    out.set(lower, typeof value === 'string' ? value : value.join(','));
  }
  return out;
}

/**
 * Headers to sign: those the app signed and still sends, plus every `x-amz-*` header (S3 rejects unsigned
 * ones). Host, X-Amz-Date and the session token are added by the signer.
 */
export function headersToSign(forwarded: ReadonlyMap<string, string>, appSigned: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const name of appSigned) if (forwarded.has(name)) names.add(name);
  for (const name of forwarded.keys()) if (name.startsWith('x-amz-')) names.add(name);
  return names;
}
