import { PortcullisError } from '../errors/index.js';

const HEX = '0123456789ABCDEF';
const MAX_PATH_BYTES = 8192;

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e // - . _ ~
  );
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function reject(path: string, why: string): never {
  throw new PortcullisError(
    'PATH_REJECTED',
    `request path ${JSON.stringify(path.slice(0, 200))} was rejected: ${why}; send a plain absolute path (e.g. /v1/models)`,
  );
}

/**
 * Canonicalises percent-encoding: unreserved characters are decoded (so `%2e` becomes `.` before dot
 * segments are resolved), every other escape is kept with upper-case hex. Encoded `/`, `\` and NUL are
 * refused: they would let a path look like one thing to the policy and another to the upstream.
 */
function canonicalEscapes(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(path.charCodeAt(i + 1));
      const lo = hexValue(path.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) reject(path, 'it has a malformed percent-escape');
      const byte = hi * 16 + lo;
      if (byte === 0x2f || byte === 0x5c) reject(path, 'it has an encoded slash or backslash (%2F, %5C)');
      if (byte < 0x20 || byte === 0x7f) reject(path, 'it has an encoded control character');
      out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[hi]}${HEX[lo]}`;
      i += 2;
    } else if (c === 0x5c) {
      reject(path, 'it has a backslash');
    } else if (c < 0x21 || c === 0x7f || c > 0x7e) {
      reject(path, 'it has a space, a control or a non-ASCII character that is not percent-encoded');
    } else {
      out += path[i];
    }
  }
  return out;
}

/**
 * True when normalizePath would return `path` unchanged, found in one scan without building anything
 * (most paths an SDK sends): only printable ASCII other than `%` and `\`, no empty segment but a
 * trailing one, no segment starting with `.` (which also leaves `.well-known` to the full walk). The
 * caller has checked the leading `/` and the length; a property test holds both ways to the same result.
 */
function isAlreadyNormal(path: string): boolean {
  let previous = 0x2f;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x25 || c === 0x5c) return false;
    if (previous === 0x2f && (c === 0x2f || c === 0x2e)) return false;
    previous = c;
  }
  return true;
}

/**
 * The path Portcullis both authorizes and forwards: percent-escapes canonicalised, empty segments
 * (`//`) merged, `.` and `..` resolved (RFC 3986 §5.2.4, never above the root). Throws PATH_REJECTED for
 * anything that is not an origin-form path. A trailing slash is kept (`/a/` and `/a` stay distinct).
 */
export function normalizePath(rawPath: string): string {
  if (rawPath.length === 0 || rawPath.charCodeAt(0) !== 0x2f) reject(rawPath, 'it does not start with /');
  if (rawPath.length > MAX_PATH_BYTES) reject(rawPath, `it is longer than ${MAX_PATH_BYTES} bytes`);
  return isAlreadyNormal(rawPath) ? rawPath : resolvePath(rawPath);
}

/** normalizePath without its checks and its fast path: escapes canonicalised, then every segment walked. */
export function resolvePath(rawPath: string): string {
  const segments = canonicalEscapes(rawPath).split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const seg = segments[i] as string;
    if (seg === '..') {
      out.pop();
      if (i === last) out.push('');
    } else if (seg === '.' || (seg === '' && i !== last)) {
      if (i === last) out.push('');
    } else {
      out.push(seg);
    }
  }
  return `/${out.join('/')}`;
}

/** Splits a request target into its path and raw query (without `?`); '' when there is none. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}
