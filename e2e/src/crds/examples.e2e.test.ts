// Every file in examples/ applies cleanly into a fresh namespace, as its header comment promises.
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createNamespace, kubectl } from '../support/cluster.js';
import { examplesDir, readExamples } from './examples.js';

const files = readExamples().map((example) => example.file);

describe('examples/', () => {
  it.each(files)('%s applies into a fresh namespace', async (file) => {
    const namespace = await createNamespace('crd-example');
    const applied = await kubectl(['apply', '-f', join(examplesDir, file)], { namespace });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);

    const listed = await kubectl(['get', 'portcullis', '-o', 'name'], { namespace });
    expect(listed.stdout).toMatch(/^credentialsource\.portcullis\.dev\//m);
    expect(listed.stdout).toMatch(/^egresspolicy\.portcullis\.dev\//m);
  });
});
