import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { CRD_SCHEMAS } from './schemas.generated.js';
import { AJV_OPTIONS, CRD_FORMATS } from './validate/ajv-options.js';
import { ajvSchemaCompiler } from './validate/compile-schema.js';
import { generateCrdValidators } from './validate/generate-validators.js';
import { createResourceValidator } from './validate/validate-resource.js';
import { toAjvSchema } from './validate/to-ajv.js';
import { PRECOMPILED_VALIDATORS } from './validators.generated.js';

type Kind = keyof typeof CRD_SCHEMAS;
type Json = Record<string, unknown>;

const generatedFile = fileURLToPath(new URL('./validators.generated.ts', import.meta.url));
const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

const precompiled = createResourceValidator();
// A copy of CRD_SCHEMAS is not CRD_SCHEMAS: this validator compiles the same schemas with ajv at run time.
const compiledNow = createResourceValidator({ ...CRD_SCHEMAS }, ajvSchemaCompiler());

const examples: { kind: Kind; object: Json }[] = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(examplesDir + f, 'utf8')).map((d) => d.toJS() as Json))
  .filter((o): o is Json & { kind: Kind } => o.kind === 'CredentialSource' || o.kind === 'EgressPolicy')
  .map((object) => ({ kind: object.kind, object }));

const condition = (lastTransitionTime: unknown): Json => ({ type: 'Ready', status: 'True', reason: 'Ok', message: 'fine', lastTransitionTime });

/** Both validators' verdicts on the same input, each on its own copy (validation applies defaults). */
function both(kind: Kind, object: unknown): [unknown, unknown] {
  return [precompiled.validate(kind, structuredClone(object)), compiledNow.validate(kind, structuredClone(object))];
}

/** Every path to a value inside `value`, e.g. ['spec', 'rules', 0, 'paths']. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

/** `object` with the value at `path` replaced (or deleted, when `replacement` is undefined). */
function mutated(object: Json, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(object);
  let node = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

describe('validators.generated.ts', () => {
  it('is what the generator makes from schemas.generated.ts today', () => {
    const expected = generateCrdValidators(CRD_SCHEMAS);
    const committed = readFileSync(generatedFile, 'utf8');
    if (committed !== expected) {
      throw new Error('shared/src/crd/validators.generated.ts is out of date: run `npm run -w @portcullis/shared generate` and commit it');
    }
    expect(committed).toBe(expected);
  });

  it('has one validator per kind of CRD_SCHEMAS', () => {
    expect(Object.keys(PRECOMPILED_VALIDATORS).sort()).toEqual(Object.keys(CRD_SCHEMAS).sort());
  });

  it('reports the same ajv errors, data and schema included, as a validator compiled at run time', () => {
    const ajv = new Ajv({ ...AJV_OPTIONS, formats: CRD_FORMATS });
    const bad = { apiVersion: 1, metadata: { name: 'x'.repeat(70) }, spec: { type: 'ftp', port: 80, http: { secretRef: {}, extra: true } } };
    const check = PRECOMPILED_VALIDATORS.CredentialSource;
    const compiled = ajv.compile(toAjvSchema(CRD_SCHEMAS.CredentialSource.schema));
    expect(check?.(structuredClone(bad))).toBe(false);
    expect(compiled(structuredClone(bad))).toBe(false);
    expect(check?.errors).toEqual(compiled.errors);
    expect(check?.errors?.length).toBeGreaterThan(4);
  });

  it.each(examples.map((e) => [`${e.kind} ${String((e.object.metadata as Json).name)}`, e] as const))(
    'accepts %s with the same defaults as a validator compiled at run time',
    (_name, { kind, object }) => {
      const [a, b] = both(kind, object);
      expect(a).toMatchObject({ ok: true });
      expect(a).toEqual(b);
    },
  );

  it.each([
    ['a valid date-time', '2026-12-07T01:02:03Z'],
    ['a date-time of a day that does not exist', '2026-13-45T01:02:03Z'],
    ['a date without time', '2026-12-07'],
  ])('checks the custom date-time format as the run-time validator does: %s', (_name, time) => {
    const policy = examples.find((e) => e.kind === 'EgressPolicy')?.object as Json;
    const [a, b] = both('EgressPolicy', { ...policy, status: { conditions: [condition(time)] } });
    expect(a).toEqual(b);
    expect((a as { ok: boolean }).ok).toBe(time === '2026-12-07T01:02:03Z');
  });

  it('counts a character outside the BMP as one, as the run-time validator does (maxLength 63)', () => {
    const source = examples.find((e) => e.kind === 'CredentialSource')?.object as Json;
    for (const name of ['😀'.repeat(63), '😀'.repeat(64)]) {
      const [a, b] = both('CredentialSource', { ...source, metadata: { name } });
      expect(a).toEqual(b);
      expect(JSON.stringify(a)).toContain(name.length > 126 ? 'Too long' : 'DNS-1123');
    }
  });

  it('gives the same verdict, message and defaulted object as the run-time validator for any mutation of an example', () => {
    const replacement = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', 'Allow', 'http', 'aws', 0, -1, 70000, null, [], {}));
    const example = fc.constantFrom(...examples);
    const arb = example.chain(({ kind, object }) => fc.tuple(fc.constant(kind), fc.constant(object), fc.constantFrom(...pathsOf(object)), replacement));
    fc.assert(
      fc.property(arb, ([kind, object, path, value]) => {
        const input = mutated(object, path, value);
        const [a, b] = both(kind, input);
        expect(a).toEqual(b);
      }),
      // Fixed by default so CI is reproducible; VALIDATOR_SEED=<n> explores other inputs.
      { numRuns: 400, seed: Number(process.env.VALIDATOR_SEED ?? 20261207) },
    );
  });
});
