import { Ajv, type ValidateFunction } from 'ajv';
import { PortcullisError } from '../../errors/portcullis-error.js';
import { CRD_SCHEMAS } from '../schemas.generated.js';
import type { CrdSchemas, KindSchema } from '../schema-types.js';
import { PRECOMPILED_VALIDATORS } from '../validators.generated.js';
import { AJV_OPTIONS, CRD_FORMATS } from './ajv-options.js';
import { compileRules, type RuleTable } from './cel-rules.js';
import { objectMetaErrors } from './object-meta.js';
import { plainCopy } from './plain-copy.js';
import { schemaErrorMessage } from './schema-errors.js';
import { toAjvSchema } from './to-ajv.js';
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
 * The ajv validator of each kind: precompiled at generate time (validators.generated.ts) for CRD_SCHEMAS,
 * compiled by one Ajv instance, made on first use, for any other schemas (tests).
 */
function schemaChecks(schemas: CrdSchemas): (kind: string, entry: KindSchema) => ValidateFunction {
  let ajv: Ajv | undefined;
  return (kind, entry) =>
    (schemas === CRD_SCHEMAS ? PRECOMPILED_VALIDATORS[kind] : undefined) ??
    (ajv ??= new Ajv({ ...AJV_OPTIONS, formats: CRD_FORMATS })).compile(toAjvSchema(entry.schema));
}

/**
 * The API server's validation of our custom resources, from the CRDs' own schemas (schemas.generated.ts,
 * generated from crds/*.yaml): structural schema with defaults, strict unknown-field checks, ObjectMeta
 * names, list types and every x-kubernetes-validations CEL rule. Build it once (it compiles every CEL rule,
 * and each schema unless precompiled, and throws if a rule uses something it cannot evaluate) and reuse it.
 */
export function createResourceValidator(schemas: CrdSchemas = CRD_SCHEMAS): ResourceValidator {
  const checkOf = schemaChecks(schemas);
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
