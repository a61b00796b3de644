/**
 * Test oracle: which of the app's headers go upstream and which are re-signed, written from the rules
 * (RFC 9110 §7.6.1, SigV4), independently of shared/src/aws/sigv4/outgoing-headers.ts.
 */
import type { HeaderMap } from '../request/headers.js';

/**
 * Never forwarded. The app's signing artefacts (Authorization, X-Amz-Date, X-Amz-Security-Token: the
 * signer writes fresh ones) and Host (the upstream's is set); hop-by-hop headers (RFC 9110 §7.6.1:
 * Connection, Proxy-Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade; HTTP2-Settings,
 * RFC 9113 §3.2.1). `proxy-*` headers and HTTP/2 pseudo-headers are matched by prefix below.
 */
const NOT_FORWARDED = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'host',
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Header names listed in Connection are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionOptions(headers: HeaderMap): Set<string> {
  const value = headers.connection;
  const joined = value === undefined ? '' : typeof value === 'string' ? value : value.join(',');
  return new Set(joined.split(',').map((token) => token.trim().toLowerCase()));
}

/** The app's headers that go upstream, lowercase names, repeated values joined with `,` (RFC 9110 §5.3). */
export function upstreamHeaders(headers: HeaderMap): Map<string, string> {
  const listed = connectionOptions(headers);
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || NOT_FORWARDED.has(lower) || listed.has(lower) || lower.startsWith('proxy-') || lower.startsWith(':')) continue;
    out.set(lower, typeof value === 'string' ? value : value.join(','));
  }
  return out;
}

/**
 * What is re-signed: the headers the app signed that still go upstream, and every x-amz-* header (S3
 * requires each x-amz-* header it receives to be signed).
 */
export function reSignedNames(upstream: ReadonlyMap<string, string>, appSigned: readonly string[]): string[] {
  const signedByApp = new Set(appSigned);
  return [...upstream.keys()].filter((name) => signedByApp.has(name) || name.startsWith('x-amz-'));
}
