// The preset table in code and the preset documentation in the CRD (what `kubectl explain` shows) must
// describe the same defaults.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { HTTP_PRESETS, PLACEHOLDER_CREDENTIAL } from '../sources/presets.js';
import { readCrd } from './generate-types.js';

function at(node: unknown, path: readonly string[]): unknown {
  let current = node;
  for (const key of path) {
    current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

async function presetDescription(): Promise<string> {
  const file = fileURLToPath(new URL('../../../crds/portcullis.dev_credentialsources.yaml', import.meta.url));
  const { schema } = readCrd(await readFile(file, 'utf8'));
  const description = at(schema, ['properties', 'spec', 'properties', 'http', 'properties', 'preset', 'description']);
  if (typeof description !== 'string') throw new Error('spec.http.preset has no description');
  return description;
}

describe('the CRD documentation of spec.http.preset', () => {
  it.each(Object.entries(HTTP_PRESETS))('documents the defaults of %s', async (name, preset) => {
    const description = await presetDescription();
    const head = `${name}: ${preset.upstream ?? 'no upstream'}`;
    expect(description).toContain(head);
    const section = description.slice(description.indexOf(head)).split('. ')[0] ?? '';
    for (const env of preset.env) expect(section).toContain(env.name);
    expect(section).toContain(preset.injection.header?.name ?? preset.injection.type);
    if (preset.azureScope !== undefined) expect(section).toContain(`scope ${preset.azureScope}`);
  });

  it('names the placeholder the apps get', async () => {
    expect(await presetDescription()).toContain(`"${PLACEHOLDER_CREDENTIAL}"`);
  });
});
