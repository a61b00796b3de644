import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES } from './codes.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...docs.matchAll(/^## `([A-Z0-9_]+)`/gm)].map((m) => m[1]));

describe('error codes', () => {
  it.each(Object.keys(ERROR_CODES))('%s is documented in docs/errors.md', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no code that does not exist', () => {
    const known = new Set(Object.keys(ERROR_CODES));
    expect([...documented].filter((c) => c !== undefined && !known.has(c) && !c.startsWith('AWS_'))).toEqual([]);
  });
});
