import type { ErrorObject } from 'ajv';
import { childPath, fromPointer, jsonType, quote } from './field-path.js';

/** The API server's list of values: "aws", "http". */
function values(list: readonly unknown[]): string {
  return list.map((v) => JSON.stringify(v)).join(', ');
}

type Words = (field: string, data: unknown, p: Record<string, unknown>) => string;

const invalid = (field: string, data: unknown, detail: string): string => `${field}: Invalid value: ${quote(data)}: ${field} in body ${detail}`;
const count = (data: unknown): string => (Array.isArray(data) ? String(data.length) : typeof data === 'object' && data ? String(Object.keys(data).length) : '?');

/** The API server's wording for each JSON-schema keyword. */
const WORDS: Readonly<Record<string, Words>> = {
  type: (field, data, p) => {
    const actual = JSON.stringify(jsonType(data));
    return `${field}: Invalid value: ${actual}: ${field} in body must be of type ${String(p.type)}: ${actual}`;
  },
  required: (field, _data, p) => {
    const missing = childPath(field, String(p.missingProperty));
    const nameless = missing === 'metadata.name' || missing === 'metadata';
    return nameless ? 'metadata.name: Required value: name or generateName is required' : `${missing}: Required value`;
  },
  additionalProperties: (field, _data, p) => `unknown field ${JSON.stringify(childPath(field, String(p.additionalProperty)))}`,
  enum: (field, data, p) => `${field}: Unsupported value: ${quote(data)}: supported values: ${values(p.allowedValues as unknown[])}`,
  maxLength: (field, _data, p) => `${field}: Too long: may not be more than ${String(p.limit)} bytes`,
  minLength: (field, data, p) => invalid(field, data, `should be at least ${String(p.limit)} chars long`),
  pattern: (field, data, p) => invalid(field, data, `should match '${String(p.pattern)}'`),
  minimum: (field, data, p) => invalid(field, data, `should be greater than or equal to ${String(p.limit)}`),
  maximum: (field, data, p) => invalid(field, data, `should be less than or equal to ${String(p.limit)}`),
  maxItems: (field, data, p) => `${field}: Too many: ${count(data)}: must have at most ${String(p.limit)} items`,
  minItems: (field, data, p) => `${field}: Invalid value: ${count(data)}: ${field} in body should have at least ${String(p.limit)} items`,
  maxProperties: (field, data, p) => `${field}: Too many: ${count(data)}: must have at most ${String(p.limit)} items`,
  format: (field, data, p) => invalid(field, data, `must be of type ${String(p.format)}: ${quote(data)}`),
};

/**
 * One ajv error as the API server words a schema violation, e.g.
 * `spec.workloads.serviceAccounts: Invalid value: "string": spec.workloads.serviceAccounts in body must be of type array: "string"`.
 */
export function schemaErrorMessage(err: ErrorObject, root: unknown): string {
  const field = fromPointer(err.instancePath, root);
  const words = WORDS[err.keyword];
  if (words) return words(field, err.data, err.params as Record<string, unknown>);
  return `${field}: Invalid value: ${quote(err.data)}: ${err.message ?? err.keyword}`;
}
