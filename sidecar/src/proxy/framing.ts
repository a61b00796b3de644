import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * How a request body is delimited on the wire (RFC 9112 §6). The sidecar decides this for every request
 * it forwards from what its own parser read, never by copying the app's framing headers: a body the
 * upstream would delimit differently than the sidecar did is how a second, unchecked request gets in.
 */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' };

export const NO_BODY: Framing = Object.freeze({ kind: 'none' });
export const CHUNKED: Framing = Object.freeze({ kind: 'chunked' });

/** A request the sidecar will not forward because of how its body is framed; `message` says what to fix. */
export interface FramingRefusal {
  readonly refused: string;
}

/** Methods whose requests must not carry a body here (RFC 9110 §9.3.2 HEAD, §9.3.8 TRACE, §9.3.6 CONNECT). */
const NO_BODY_METHODS = new Set(['HEAD', 'TRACE', 'CONNECT']);

const DIGITS = /^\d{1,15}$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The framing of the app's request as the sidecar's HTTP parser read it, or why it is refused:
 * - `Transfer-Encoding` must be exactly `chunked` (a coding the sidecar does not decode would reach the
 *   upstream undeclared once the sidecar re-frames the body; RFC 9112 §6.1);
 * - `Content-Length` must be one decimal number (the parser already refuses lists and both headers at once;
 *   this holds if a runtime ever lets one through, RFC 9112 §6.3 rule 3);
 * - HEAD, TRACE and CONNECT carry no body.
 */
export function requestFraming(method: string, headers: IncomingHttpHeaders): Framing | FramingRefusal {
  const te = single(headers['transfer-encoding']);
  const cl = single(headers['content-length']);
  if (te !== undefined && cl !== undefined) {
    return { refused: 'the request has both Transfer-Encoding and Content-Length; send exactly one of them (RFC 9112 §6.3)' };
  }
  let framing: Framing;
  if (te !== undefined) {
    if (te.trim().toLowerCase() !== 'chunked') {
      return { refused: `Transfer-Encoding "${te.slice(0, 64)}" is not supported; send the body with Transfer-Encoding: chunked or a Content-Length` };
    }
    framing = CHUNKED;
  } else if (cl !== undefined) {
    const text = cl.trim();
    if (!DIGITS.test(text)) return { refused: `Content-Length "${cl.slice(0, 64)}" is not a single decimal number (RFC 9112 §6.3)` };
    framing = { kind: 'length', length: Number(text) };
  } else {
    framing = NO_BODY;
  }
  if (hasBody(framing) && NO_BODY_METHODS.has(method)) {
    return { refused: `a ${method} request cannot carry a body (RFC 9110 §9.3); send it without one` };
  }
  return framing;
}

export function isRefusal(f: Framing | FramingRefusal): f is FramingRefusal {
  return 'refused' in f;
}

export function hasBody(f: Framing): boolean {
  return f.kind === 'chunked' || (f.kind === 'length' && f.length > 0);
}

/**
 * Writes `framing` into the outgoing headers after removing every framing header already there, whatever
 * its case: the upstream sees the body delimited exactly as the sidecar will send it.
 */
export function setFraming(headers: OutgoingHttpHeaders, framing: Framing): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') delete headers[name];
  }
  if (framing.kind === 'length') headers['content-length'] = String(framing.length);
  else if (framing.kind === 'chunked') headers['transfer-encoding'] = 'chunked';
}

/** The length an origin declared for a body it rewrites (e.g. aws-chunked re-signing keeps the app's length). */
export function declaredLength(headers: OutgoingHttpHeaders): number | undefined {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== 'content-length') continue;
    const value = headers[name];
    const text = typeof value === 'number' ? String(value) : Array.isArray(value) ? undefined : value;
    return text !== undefined && DIGITS.test(text) ? Number(text) : undefined;
  }
  return undefined;
}
