import type { ValidateFunction } from 'ajv';
import { PortcullisError } from '../../errors/portcullis-error.js';
import { CRD_SCHEMAS } from '../schemas.generated.js';
import type { CrdSchemas, KindSchema } from '../schema-types.js';
import { PRECOMPILED_VALIDATORS } from '../validators.generated.js';
import { compileRules, type RuleTable } from './cel-rules.js';
import { objectMetaErrors } from './object-meta.js';
import { plainCopy } from './plain-copy.js';
import { schemaErrorMessage } from './schema-errors.js';
import type { KindTypes, ResourceKind, Valid } from './valid.js';
import { extensionErrors, toCel } from './walk.js';

export interface Accepted<T> {
  readonly ok: true;
  readonly object: Valid<T>;
}

export interface Refused {
  readonly ok: false;
  /** Each failure as the API server words it, e.g. `spec.rules: Required value`. */
  readonly errors: readonly string[];
  /** What kubectl apply prints: `The EgressPolicy "p" is invalid: …`. */
  readonly message: string;
}

export type Validation<T> = Accepted<T> | Refused;

export interface ResourceValidator {
  /** Checks an object of `kind` against its CRD's schema and CEL rules; on success returns a frozen copy with defaults applied. */
  validate<K extends ResourceKind>(kind: K, object: unknown): Validation<KindTypes[K]>;
}

const MAX_ERRORS_SHOWN = 20;

interface CompiledKind {
  readonly apiVersion: string;
  readonly kind: KindSchema;
  readonly check: ValidateFunction;
  readonly rules: RuleTable;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function aggregate(errors: readonly string[]): string {
  const shown = errors.slice(0, MAX_ERRORS_SHOWN);
  const more = errors.length > shown.length ? [`and ${errors.length - shown.length} more`] : [];
  return shown.length === 1 ? (shown[0] as string) : `[${[...shown, ...more].join(', ')}]`;
}

function nameOf(object: unknown): string {
  const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : '';
}

function refused(kind: string, object: unknown, errors: readonly string[]): Refused {
  return { ok: false, errors, message: `The ${kind} ${JSON.stringify(nameOf(object))} is invalid: ${aggregate(errors)}` };
}

/** A value for a message: strings as they are, anything else as JSON (String() throws on `{toString: 0}`). */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

function errorsOf(compiled: CompiledKind, kind: string, copy: Record<string, unknown>): string[] {
  if (copy.apiVersion !== compiled.apiVersion || copy.kind !== kind) {
    return [`apiVersion, kind: Invalid value: ${JSON.stringify(`${shown(copy.apiVersion)}, ${shown(copy.kind)}`)}: must be ${compiled.apiVersion}, ${kind}`];
  }
  if (!compiled.check(copy)) return (compiled.check.errors ?? []).map((e) => schemaErrorMessage(e, copy));
  const schema = compiled.kind.schema;
  return [
    ...objectMetaErrors(copy.metadata as { name?: unknown; namespace?: unknown }),
    ...extensionErrors(schema, copy, toCel(schema, copy), '', compiled.rules),
  ];
}

/**
 * Compiles the ajv validator of a kind that has no precompiled one (tests with schemas of their own):
 * `ajvSchemaCompiler()` of compile-schema.ts. Kept out of this module so the sidecar's executable, which
 * only validates CRD_SCHEMAS, does not carry ajv's compiler (ADR 38: +1.5 MiB idle RSS).
 */
export type SchemaCompiler = (entry: KindSchema) => ValidateFunction;

/** The ajv validator of each kind: precompiled at generate time (validators.generated.ts) for CRD_SCHEMAS, else `compile`'s. */
function schemaChecks(schemas: CrdSchemas, compile: SchemaCompiler | undefined): (kind: string, entry: KindSchema) => ValidateFunction {
  return (kind, entry) => {
    const precompiled = schemas === CRD_SCHEMAS ? PRECOMPILED_VALIDATORS[kind] : undefined;
    if (precompiled !== undefined) return precompiled;
    if (compile === undefined) {
      throw new PortcullisError('CRD_SCHEMA_UNSUPPORTED', `${kind}: this schema has no precompiled validator; pass a schema compiler (ajvSchemaCompiler() of crd/validate/compile-schema.ts) to createResourceValidator`);
    }
    return compile(entry);
  };
}

/**
 * The API server's validation of our custom resources, from the CRDs' own schemas (schemas.generated.ts,
 * generated from crds/*.yaml): structural schema with defaults, strict unknown-field checks, ObjectMeta
 * names, list types and every x-kubernetes-validations CEL rule. Build it once (it compiles every CEL rule,
 * and each schema without a precompiled validator with `compileSchema`, and throws if a rule uses something it cannot evaluate) and reuse it.
 */
export function createResourceValidator(schemas: CrdSchemas = CRD_SCHEMAS, compileSchema?: SchemaCompiler): ResourceValidator {
  const checkOf = schemaChecks(schemas, compileSchema);
  const compiled = new Map<string, CompiledKind>();
  for (const [kind, entry] of Object.entries(schemas)) {
    compiled.set(kind, { apiVersion: entry.apiVersion, kind: entry, check: checkOf(kind, entry), rules: compileRules(entry.schema) });
  }
  return {
    validate<K extends ResourceKind>(kind: K, object: unknown): Validation<KindTypes[K]> {
      const entry = compiled.get(kind);
      if (!entry) throw new PortcullisError('INTERNAL', `no schema for ${kind}`);
      if (typeof object !== 'object' || object === null || Array.isArray(object)) {
        return refused(kind, object, [`<root>: Invalid value: ${JSON.stringify(object === null ? 'null' : Array.isArray(object) ? 'array' : typeof object)}: must be an object`]);
      }
      let copy: Record<string, unknown>;
      try {
        copy = plainCopy(object) as Record<string, unknown>;
      } catch (err) {
        return refused(kind, object, [`${(err as Error).message}`]);
      }
      const errors = errorsOf(entry, kind, copy);
      if (errors.length > 0) return refused(kind, object, errors);
      return { ok: true, object: deepFreeze(copy) as unknown as Valid<KindTypes[K]> };
    },
  };
}
