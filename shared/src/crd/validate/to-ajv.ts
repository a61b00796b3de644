import { PortcullisError } from '../../errors/portcullis-error.js';
import type { StructuralSchema } from '../schema-types.js';

/** Formats the API server checks (strings) and those it ignores (integer widths); any other one is refused. */
const CHECKED_FORMATS: ReadonlySet<string> = new Set(['date-time']);
const IGNORED_FORMATS: ReadonlySet<string> = new Set(['int32', 'int64']);

const COPIED = ['enum', 'default', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'maxProperties', 'required'] as const;

/** ObjectMeta as the API server validates it for every object: name required; other fields kept as they are. */
function objectMeta(node: StructuralSchema): Record<string, unknown> {
  const properties = { ...Object.fromEntries(Object.entries(node.properties ?? {}).map(([k, v]) => [k, toAjvSchema(v, `metadata.${k}`)])) };
  properties.name ??= { type: 'string' };
  properties.namespace ??= { type: 'string' };
  return { type: 'object', properties, required: ['name'] };
}

/** The format ajv checks, if any; throws on a format the validator does not implement (never skipped quietly). */
function formatOf(node: StructuralSchema, path: string): string | undefined {
  if (node.format === undefined || IGNORED_FORMATS.has(node.format)) return undefined;
  if (!CHECKED_FORMATS.has(node.format)) throw new PortcullisError('CRD_SCHEMA_UNSUPPORTED', `${path || '<root>'}: format ${node.format} is not implemented by the validator`);
  return node.format;
}

/** A map's value schema; false (unknown fields refused) for an object with properties unless it preserves them. */
function additionalOf(node: StructuralSchema, path: string): Record<string, unknown> | false | undefined {
  if (typeof node.additionalProperties === 'object') return toAjvSchema(node.additionalProperties, `${path}{}`);
  if (node.additionalProperties === false) return false;
  return node.properties && !node['x-kubernetes-preserve-unknown-fields'] ? false : undefined;
}

/**
 * Turns a structural schema into the JSON Schema ajv checks: the same types, bounds, enums, patterns and
 * defaults; unknown fields refused (kubectl apply's strict field validation) except in metadata and under
 * x-kubernetes-preserve-unknown-fields; null refused unless nullable. The Kubernetes extensions (CEL
 * rules, list types) are checked by cel-rules.ts and list-types.ts on the same tree.
 */
export function toAjvSchema(node: StructuralSchema, path = ''): Record<string, unknown> {
  if (path === 'metadata') return objectMeta(node);
  const out: Record<string, unknown> = {};
  if (node.type) out.type = node.nullable ? [node.type, 'null'] : node.type;
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  const format = formatOf(node, path);
  if (format !== undefined) out.format = format;
  if (node.properties) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toAjvSchema(v, path === '' ? k : `${path}.${k}`)]));
  }
  const additional = additionalOf(node, path);
  if (additional !== undefined) out.additionalProperties = additional;
  if (node.items) out.items = toAjvSchema(node.items, `${path}[]`);
  // Every object has metadata (with a name), whatever the CRD lists as required.
  if (path === '') out.required = [...new Set(['metadata', ...(node.required ?? [])])];
  return out;
}
