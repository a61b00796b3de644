import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the ones Node or the proxy sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
]);

/**
 * Headers that carry credentials in the APIs Portcullis fronts. The app only ever holds a placeholder;
 * whatever it sends here is removed so the upstream sees exactly one credential: the injected one.
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'private-token',
  'job-token',
  'x-goog-api-key',
  'x-vault-token',
  'x-amz-security-token',
  'x-functions-key',
  'ocp-apim-subscription-key',
]);

// What `Connection: keep-alive` and `Connection: close` (nearly every request and response) list, built once.
const KEEP_ALIVE: ReadonlySet<string> = new Set(['keep-alive']);
const CLOSE: ReadonlySet<string> = new Set(['close']);

/** Names listed in a Connection header are hop-by-hop for this message too. */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (value === 'keep-alive') return KEEP_ALIVE;
  if (value === 'close') return CLOSE;
  const text = Array.isArray(value) ? value.join(',') : value;
  const names = new Set<string>();
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase();
    if (name) names.add(name);
  }
  return names;
}

/**
 * The request headers to forward: hop-by-hop, credential and `extraStrip` headers removed. Node gives
 * lower-case names; a plain loop keeps this cheap on the hot path.
 */
export function forwardRequestHeaders(
  incoming: IncomingHttpHeaders,
  extraStrip: ReadonlySet<string> | undefined,
): OutgoingHttpHeaders {
  const listed = connectionTokens(incoming.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || CREDENTIAL_HEADERS.has(name)) continue;
    if (listed?.has(name) || extraStrip?.has(name)) continue;
    out[name] = incoming[name];
  }
  return out;
}

/** The response headers to return to the app: hop-by-hop headers removed. */
export function forwardResponseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionTokens(incoming.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    if (name === 'set-cookie') continue; // never hand upstream session cookies to the app
    out[name] = incoming[name];
  }
  return out;
}
