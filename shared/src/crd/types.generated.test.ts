import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { generateCrdTypes } from './generate-types.js';
import type { CredentialSource, EgressPolicy } from './types.generated.js';

const crdDir = fileURLToPath(new URL('../../../crds/', import.meta.url));
const generatedFile = fileURLToPath(new URL('./types.generated.ts', import.meta.url));

async function crdTexts(): Promise<string[]> {
  const files = (await readdir(crdDir)).filter((name) => name.endsWith('.yaml')).sort();
  return Promise.all(files.map((name) => readFile(crdDir + name, 'utf8')));
}

function firstDifferentLine(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  const index = left.findIndex((line, i) => line !== right[i]);
  return (index === -1 ? left.length : index) + 1;
}

describe('types.generated.ts', () => {
  it('is what the generator makes from crds/*.yaml today', async () => {
    const expected = await generateCrdTypes(await crdTexts());
    const committed = await readFile(generatedFile, 'utf8');
    if (committed !== expected) {
      throw new Error(
        `shared/src/crd/types.generated.ts is out of date with crds/*.yaml (first difference at line ` +
          `${firstDifferentLine(committed, expected)}): run \`npm run -w @portcullis/shared generate\` and commit it`,
      );
    }
    expect(committed).toBe(expected);
  });

  it('types the documented examples (checked by tsc, asserted here so the objects are used)', () => {
    const source = {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'CredentialSource',
      metadata: { name: 'openai' },
      spec: { type: 'http', port: 18080, http: { preset: 'openai', secretRef: { name: 'openai', key: 'api-key' } } },
    } satisfies CredentialSource;
    const policy = {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'EgressPolicy',
      metadata: { name: 'chat-only' },
      spec: {
        workloads: { serviceAccounts: ['assistant'] },
        rules: [{ effect: 'Allow', source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] }],
      },
    } satisfies EgressPolicy;
    expect(policy.spec.rules[0]?.source).toBe(source.metadata.name);
  });
});
