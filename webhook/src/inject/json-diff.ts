// A small RFC 6902 diff for admission patches: objects are diffed key by key, arrays element by element
// when their length is unchanged and replaced whole otherwise (which keeps index arithmetic out of it).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonPatchOperation =
  | { readonly op: 'add'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'replace'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'remove'; readonly path: string };

/** RFC 6901: `~` → `~0`, `/` → `~1` (annotation keys such as portcullis.dev/status contain `/`). */
export function pointerSegment(key: string): string {
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

/** Drops undefined object values so the patch carries plain JSON. */
function toJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v) ?? 'null') as JsonValue;
}

/** The operations that turn `from` into `to`. */
export function jsonDiff(from: unknown, to: unknown, path = ''): JsonPatchOperation[] {
  if (jsonEqual(from, to)) return [];
  if (isObject(from) && isObject(to)) {
    const ops: JsonPatchOperation[] = [];
    for (const key of Object.keys(from)) {
      if (from[key] !== undefined && to[key] === undefined) ops.push({ op: 'remove', path: `${path}/${pointerSegment(key)}` });
    }
    for (const key of Object.keys(to)) {
      if (to[key] === undefined) continue;
      const child = `${path}/${pointerSegment(key)}`;
      if (from[key] === undefined) ops.push({ op: 'add', path: child, value: toJson(to[key]) });
      else ops.push(...jsonDiff(from[key], to[key], child));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((item, i) => jsonDiff(item, to[i], `${path}/${i}`));
  }
  return [{ op: 'replace', path, value: toJson(to) }];
}
