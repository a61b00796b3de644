/**
 * Which path segments are ids (collapsed to `*` by `policy suggest`) rather than names of an API's
 * resources. Deliberately conservative: a segment stays literal unless it looks generated.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const HEX = /^[0-9a-f]{8,}$/i;
/** Provider ids such as `msg_01Hx8…`, `cus_NffrFeUfNV2Hib`, `chatcmpl-9bX2…`: a short prefix, `_`/`-`, an opaque tail with digits. */
const PREFIXED = /^[A-Za-z]{2,12}[_-]([A-Za-z0-9]{8,})$/;
/** Long opaque tokens (base62/base64url) with letters and digits. */
const OPAQUE = /^[A-Za-z0-9_-]{20,}$/;

const digits = (s: string): number => s.replace(/\D/g, '').length;

/** The singular of a collection name: `threads` → `thread`, `files` → `file`, `batches` → `batch`. */
function singular(collection: string): string | undefined {
  if (collection.endsWith('ies') && collection.length > 3) return `${collection.slice(0, -3)}y`;
  if (/(ch|sh|x|ss)es$/.test(collection)) return collection.slice(0, -2);
  if (collection.endsWith('s') && collection.length > 1) return collection.slice(0, -1);
  return undefined;
}

/**
 * Whether `segment` (after `previous`, the segment before it) is an id: a UUID, a number, a hex digest, a
 * provider id with a prefix and an opaque tail, a long opaque token, or a child of a collection named
 * after it (`/threads/thread_abc`, `/files/file-xyz`).
 */
function looksGenerated(segment: string): boolean {
  if (UUID.test(segment) || NUMBER.test(segment)) return true;
  if (HEX.test(segment) && digits(segment) > 0) return true;
  const prefixed = PREFIXED.exec(segment);
  const tail = prefixed?.[1];
  // Two digits, or a long mixed-case tail (base62: Stripe's cus_NffrFeUfNV2Hib).
  if (tail !== undefined && (digits(tail) >= 2 || (tail.length >= 12 && /[a-z]/.test(tail) && /[A-Z]/.test(tail)))) return true;
  return OPAQUE.test(segment) && digits(segment) >= 2 && /[A-Za-z]/.test(segment);
}

function childOfCollection(segment: string, previous: string | undefined): boolean {
  const one = previous === undefined ? undefined : singular(previous.toLowerCase());
  if (one === undefined || one.length < 2 || segment.length <= one.length + 1) return false;
  const lower = segment.toLowerCase();
  return lower.startsWith(`${one}_`) || lower.startsWith(`${one}-`);
}

export function isIdSegment(segment: string, previous: string | undefined): boolean {
  if (segment === '' || segment.includes('*')) return false;
  return looksGenerated(segment) || childOfCollection(segment, previous);
}

/**
 * What a path segment can be in a path glob of the CRD: no `?`, `#` or whitespace, no `**` inside a
 * segment. A segment that cannot be written literally is matched by `*` instead.
 */
function globSafe(segment: string): string {
  return /[?#\s]|\*\*/.test(segment) ? '*' : segment;
}

/** The CRD's limit on one path glob. */
const MAX_PATH_LENGTH = 512;

/** A glob too long for the CRD keeps its leading segments and ends in `/**` (everything below them). */
function fitted(segments: readonly string[]): string {
  const joined = segments.join('/');
  if (joined.length <= MAX_PATH_LENGTH) return joined;
  let out = '';
  for (const segment of segments.slice(1)) {
    if (out.length + 1 + segment.length + 3 > MAX_PATH_LENGTH) break;
    out += `/${segment}`;
  }
  return `${out}/**`;
}

/** The path with id segments replaced by `*` (unless `keepIds`), every segment safe for a CRD path glob. */
export function generalizePath(path: string, keepIds: boolean): string {
  const segments = path.split('/');
  const out = segments.map((segment, i) => {
    if (i === 0) return segment;
    if (!keepIds && isIdSegment(segment, segments[i - 1])) return '*';
    return globSafe(segment);
  });
  return fitted(out);
}
