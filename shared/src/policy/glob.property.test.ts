// Property: policy globs mean what the docs say, for any pattern and value: a literal matches only itself,
// `*` never crosses `/` in a path glob, a prefix glob never matches outside its prefix, and IAM globs agree
// with a reference matcher.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz } from '@portcullis/shared/testing/fuzz';
import { iamGlob, pathGlob } from './glob.js';

const char = fc.constantFrom('a', 'b', '/', '*', '?', '.', '-', ':', '\\', '[', '(', '$', '^', '+', 'A', '\n');
const text = fc.array(char, { maxLength: 12 }).map((c) => c.join(''));
const value = fc.array(fc.constantFrom('a', 'b', '/', '.', ':', 'A', '*', '?', '\n'), { maxLength: 12 }).map((c) => c.join(''));

/** Reference IAM matcher by dynamic programming (`*` any run, `?` one character). */
function iamMatches(pattern: string, v: string, fold: boolean): boolean {
  const p = [...(fold ? pattern.toLowerCase() : pattern)];
  const s = [...(fold ? v.toLowerCase() : v)];
  const dp: boolean[][] = Array.from({ length: p.length + 1 }, () => new Array<boolean>(s.length + 1).fill(false));
  (dp[0] as boolean[])[0] = true;
  for (let i = 1; i <= p.length; i++) {
    for (let j = 0; j <= s.length; j++) {
      const c = p[i - 1];
      const row = dp[i] as boolean[];
      const prev = dp[i - 1] as boolean[];
      if (c === '*') row[j] = (prev[j] ?? false) || (j > 0 && (row[j - 1] ?? false));
      else row[j] = j > 0 && (prev[j - 1] ?? false) && (c === '?' || c === s[j - 1]);
    }
  }
  return (dp[p.length] as boolean[])[s.length] ?? false;
}

describe('policy globs under fuzzing', () => {
  it('path globs: literals match only themselves, * stays in a segment, prefix/** stays under the prefix', () => {
    fuzz(
      'policy-glob-path',
      fc.tuple(text, value),
      ([pattern, v]) => {
        const g = pathGlob(pattern);
        if (!pattern.includes('*')) expect(g.test(v)).toBe(v === pattern);
        if (pattern.endsWith('/**') && g.test(v)) expect(v.startsWith(pattern.slice(0, pattern.indexOf('*')))).toBe(true);
        if (!pattern.includes('**') && g.test(v)) expect(v.split('/').length).toBe(pattern.split('/').length);
        expect(pathGlob(`${pattern.replace(/\*/g, '')}/**`).test(`${pattern.replace(/\*/g, '')}/..`)).toBe(true);
      },
      { runs: 3000 },
    );
  });

  it('IAM globs agree with a reference matcher, case-folded for actions only', () => {
    fuzz(
      'policy-glob-iam',
      fc.tuple(text, value, fc.boolean()),
      ([pattern, v, fold]) => {
        expect(iamGlob(pattern, fold).test(v)).toBe(iamMatches(pattern, v, fold));
      },
      { runs: 3000 },
    );
  });
});
