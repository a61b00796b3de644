import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { generateCrdSchemas } from './generate-schemas.js';
import { readCrd } from './generate-types.js';

const crdDir = fileURLToPath(new URL('../../../crds/', import.meta.url));
const generatedFile = fileURLToPath(new URL('./schemas.generated.ts', import.meta.url));

async function crdTexts(): Promise<string[]> {
  const files = (await readdir(crdDir)).filter((name) => name.endsWith('.yaml')).sort();
  return Promise.all(files.map((name) => readFile(crdDir + name, 'utf8')));
}

function crd(schema: object): string {
  return stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    spec: { group: 'example.dev', names: { kind: 'Widget' }, versions: [{ name: 'v1', storage: true, schema: { openAPIV3Schema: schema } }] },
  });
}

describe('schemas.generated.ts', () => {
  it('is what the generator makes from crds/*.yaml today', async () => {
    const expected = generateCrdSchemas((await crdTexts()).map(readCrd));
    const committed = await readFile(generatedFile, 'utf8');
    if (committed !== expected) {
      throw new Error('shared/src/crd/schemas.generated.ts is out of date with crds/*.yaml: run `npm run -w @portcullis/shared generate` and commit it');
    }
    expect(committed).toBe(expected);
  });

  it('keeps rules, bounds and defaults and drops descriptions', () => {
    const text = generateCrdSchemas([
      readCrd(crd({ type: 'object', description: 'gone', properties: { size: { type: 'integer', default: 3, maximum: 9, 'x-kubernetes-validations': [{ rule: 'self > 0' }] } } })),
    ]);
    expect(text).not.toContain('gone');
    expect(text).toContain('"rule": "self > 0"');
    expect(text).toContain('"default": 3');
    expect(text).toContain('"maximum": 9');
  });

  it('refuses a schema keyword the validator does not implement, naming where it is', () => {
    expect(() => generateCrdSchemas([readCrd(crd({ type: 'object', properties: { a: { type: 'string', oneOf: [] } } }))])).toThrow(
      'a: the validator does not implement the schema keyword oneOf',
    );
  });
});
