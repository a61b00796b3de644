import type { StructuralSchema } from '../schema-types.js';
import { ruleFailures, type RuleTable } from './cel-rules.js';
import { childPath, indexPath, quote } from './field-path.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as CEL sees it through the schema: integer fields are CEL ints (bigint), everything else as is. */
export function toCel(node: StructuralSchema, value: unknown): unknown {
  if (node.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return node.items ? value.map((v) => toCel(node.items as StructuralSchema, v)) : value;
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    const schema = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    out[key] = schema ? toCel(schema, child) : child;
  }
  return out;
}

/** x-kubernetes-list-type set (items unique) and map (the list-map-keys unique), in the API server's words. */
function listTypeErrors(node: StructuralSchema, list: readonly unknown[], path: string): string[] {
  const type = node['x-kubernetes-list-type'];
  if (type !== 'set' && type !== 'map') return [];
  const keys = node['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  const out: string[] = [];
  list.forEach((item, i) => {
    const identity = type === 'set' ? JSON.stringify(item) : JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
    if (seen.has(identity)) {
      const shown = type === 'set' ? quote(item) : `map[${keys.map((k) => `${k}:${String(isObject(item) ? item[k] : '')}`).join(' ')}]`;
      out.push(`${indexPath(path, i)}: Duplicate value: ${shown}`);
    }
    seen.add(identity);
  });
  return out;
}

/**
 * Checks the Kubernetes extensions of a schema-valid value, node by node: the CEL rules of every node
 * that has a value (`self` is that node) and list-type uniqueness. Returns the failures, in tree order.
 */
export function extensionErrors(node: StructuralSchema, value: unknown, cel: unknown, path: string, rules: RuleTable): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  const own = rules.get(node);
  if (own) out.push(...ruleFailures(own, cel, path, node.type ?? 'object'));
  if (Array.isArray(value)) {
    out.push(...listTypeErrors(node, value, path));
    const items = node.items;
    const celItems = cel as readonly unknown[];
    if (items) value.forEach((v, i) => out.push(...extensionErrors(items, v, celItems[i], indexPath(path, i), rules)));
  } else if (isObject(value)) {
    const celObject = cel as Json;
    for (const [key, child] of Object.entries(value)) {
      const schema = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
      if (schema) out.push(...extensionErrors(schema, child, celObject[key], childPath(path, key), rules));
    }
  }
  return out;
}
