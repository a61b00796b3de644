import { describe, expect, it } from '@jest/globals';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import { jsonDiff, jsonEqual } from './json-diff.js';

const roundTrip = (from: object, to: object): unknown =>
  applyPatch(deepClone(from) as object, jsonDiff(from, to) as Operation[], true, false).newDocument;

describe('jsonDiff', () => {
  it('returns no operation for equal documents, ignoring undefined values', () => {
    expect(jsonDiff({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }], d: undefined })).toEqual([]);
  });

  it('escapes / and ~ in keys (annotation names)', () => {
    expect(jsonDiff({ a: {} }, { a: { 'portcullis.dev/status': 'x', 'a~b': 'y' } })).toEqual([
      { op: 'add', path: '/a/portcullis.dev~1status', value: 'x' },
      { op: 'add', path: '/a/a~0b', value: 'y' },
    ]);
  });

  it('replaces an array whose length changed and diffs one that kept its length element-wise', () => {
    expect(jsonDiff({ l: [1, 2] }, { l: [0, 1, 2] })).toEqual([{ op: 'replace', path: '/l', value: [0, 1, 2] }]);
    expect(jsonDiff({ l: [{ n: 1 }, { n: 2 }] }, { l: [{ n: 1 }, { n: 3 }] })).toEqual([{ op: 'replace', path: '/l/1/n', value: 3 }]);
  });

  it.each([
    [{ a: 1, b: 2 }, { a: 1 }],
    [{ a: [1, 2, 3] }, { a: [3] }],
    [{ a: { b: { c: [1] } } }, { a: { b: { c: [1, 2], d: null } }, e: 'x' }],
    [{ a: 'x' }, { a: { nested: true } }],
  ])('turns %j into %j', (from, to) => {
    expect(roundTrip(from, to)).toEqual(to);
  });

  it('compares structurally', () => {
    expect(jsonEqual([1, { a: 2 }], [1, { a: 2 }])).toBe(true);
    expect(jsonEqual([1], [1, 2])).toBe(false);
    expect(jsonEqual({ a: 1 }, { b: 1 })).toBe(false);
  });
});
