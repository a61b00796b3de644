// Every chart value is documented in docs/install.md ("Values"), and the table documents no value the
// chart does not have. A new value without a row fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { chartDir, repoRoot } from './paths.js';

/** Paths of the values a user sets: scalars, lists, free-form maps and whole `resources` blocks. */
function leafPaths(value: unknown, prefix = ''): string[] {
  const isMap = typeof value === 'object' && value !== null && !Array.isArray(value);
  const key = prefix.split('.').at(-1);
  if (!isMap || Object.keys(value).length === 0 || key === 'resources') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The first-column `value` of each row of the table under "## Values". */
function documentedValues(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Values\n')) ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] as string);
}

const values = leafPaths(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')));
const documented = documentedValues(readFileSync(join(repoRoot, 'docs/install.md'), 'utf8'));

describe('docs/install.md "Values"', () => {
  it('finds the values table', () => {
    expect(documented.length).toBeGreaterThan(20);
  });

  it.each(values)('documents %s', (path) => {
    expect(documented).toContain(path);
  });

  it('documents no value the chart does not have', () => {
    expect(documented.filter((d) => !values.includes(d))).toEqual([]);
  });
});
