// A small RFC 6902 diff for admission patches: objects are diffed key by key, arrays element by element
// when their length is unchanged and replaced whole otherwise (which keeps index arithmetic out of it).
// It runs on every admission, so it walks each pair of values once: no deep-equality pre-pass per level
// (equal subtrees yield no operations anyway) and no JSON round trip to copy values that are JSON already.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonPatchOperation =
  | { readonly op: 'add'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'replace'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'remove'; readonly path: string };

/** RFC 6901: `~` → `~0`, `/` → `~1` (annotation keys such as portcullis.dev/status contain `/`). */
export function pointerSegment(key: string): string {
  if (!key.includes('~') && !key.includes('/')) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Structural equality of JSON data; object keys whose value is undefined count as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** True when JSON.stringify would write `v` as it is: no undefined, function, symbol, bigint, non-finite number or toJSON. */
function isPlainJson(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (v === null) return true;
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i])) return false;
        return true;
      }
      const record = v as Record<string, unknown>;
      for (const key of Object.keys(record)) if (!isPlainJson(record[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** A copy of `v` as JSON.stringify would write it (undefined keys dropped, undefined elements null, ...). */
function jsonCopy(v: unknown): JsonValue {
  const text = JSON.stringify(v) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/**
 * `v` as JSON data. Pods decoded from JSON and the objects the injector builds are plain JSON already
 * and come back as they are — shared, not copied: patches are read-only, serialized once and dropped.
 * Anything else (an undefined value, a Date, NaN) is copied the way JSON.stringify writes it.
 */
export function toJson(v: unknown): JsonValue {
  return isPlainJson(v) ? (v as JsonValue) : jsonCopy(v);
}

function diffInto(ops: JsonPatchOperation[], from: unknown, to: unknown, path: string): void {
  if (from === to) return;
  if (isObject(from) && isObject(to)) {
    for (const key of Object.keys(from)) {
      if (from[key] !== undefined && to[key] === undefined) ops.push({ op: 'remove', path: `${path}/${pointerSegment(key)}` });
    }
    for (const key of Object.keys(to)) {
      const next = to[key];
      if (next === undefined) continue;
      const previous = from[key];
      if (previous === undefined) ops.push({ op: 'add', path: `${path}/${pointerSegment(key)}`, value: toJson(next) });
      else diffInto(ops, previous, next, `${path}/${pointerSegment(key)}`);
    }
    return;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    for (let i = 0; i < from.length; i++) diffInto(ops, from[i], to[i], `${path}/${i}`);
    return;
  }
  // Different kinds, arrays of different lengths, or two scalars that are not === (NaN included).
  ops.push({ op: 'replace', path, value: toJson(to) });
}

/** The operations that turn `from` into `to`. */
export function jsonDiff(from: unknown, to: unknown, path = ''): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  diffInto(ops, from, to, path);
  return ops;
}
