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

/**
 * The app's headers minus credentials, Host, hop-by-hop headers and the headers its `Connection` header
 * names. Repeated headers are joined with `,`. Names are lowercase.
 */
export function forwardableHeaders(headers: HeaderMap): Map<string, string> {
  const connectionListed = new Set<string>();
  const connection = headers.connection;
  for (const value of typeof connection === 'string' ? [connection] : (connection ?? [])) {
    for (const token of value.split(',')) connectionListed.add(token.trim().toLowerCase());
  }
  const out = new Map<string, string>();
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (DROPPED.has(lower) || connectionListed.has(lower) || lower.startsWith(':') || lower.startsWith('proxy-')) continue;
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
