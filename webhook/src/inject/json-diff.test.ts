import { describe, expect, it } from '@jest/globals';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import { jsonDiff, jsonEqual, toJson } from './json-diff.js';

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

/** The diff as first written (a deep-equality pre-pass per level, every added value copied through JSON): the reference. */
function referenceDiff(from: unknown, to: unknown, path = ''): unknown[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const seg = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
  const copy = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
  if (jsonEqual(from, to)) return [];
  if (isObj(from) && isObj(to)) {
    const ops: unknown[] = [];
    for (const key of Object.keys(from)) if (from[key] !== undefined && to[key] === undefined) ops.push({ op: 'remove', path: `${path}/${seg(key)}` });
    for (const key of Object.keys(to)) {
      if (to[key] === undefined) continue;
      if (from[key] === undefined) ops.push({ op: 'add', path: `${path}/${seg(key)}`, value: copy(to[key]) });
      else ops.push(...referenceDiff(from[key], to[key], `${path}/${seg(key)}`));
    }
    return ops;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) return from.flatMap((x, i) => referenceDiff(x, to[i], `${path}/${i}`));
  return [{ op: 'replace', path, value: copy(to) }];
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'c', 'x/y', 'm~n', 'portcullis.dev/status', '0', ''];
const SCALARS: unknown[] = [0, 1, -2.5, '', 'v', 'w', true, false, null, undefined, Number.NaN, Infinity, new Date(0)];

function value(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.4) return SCALARS[Math.floor(rnd() * SCALARS.length)];
  if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(rnd, depth - 1));
  const o: Record<string, unknown> = {};
  for (const k of KEYS) if (rnd() < 0.35) o[k] = value(rnd, depth - 1);
  return o;
}

/** A variation of `v`: most of it kept (shared or rebuilt), some of it changed, added or dropped. */
function mutate(rnd: () => number, v: unknown, depth: number): unknown {
  const r = rnd();
  if (r < 0.1) return value(rnd, depth);
  if (r < 0.4) return v;
  if (Array.isArray(v)) {
    const out = v.map((x) => mutate(rnd, x, depth - 1));
    if (rnd() < 0.2) out.push(value(rnd, depth - 1));
    return out;
  }
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (rnd() > 0.15) out[k] = mutate(rnd, x, depth - 1);
    if (rnd() < 0.3) out[KEYS[Math.floor(rnd() * KEYS.length)] ?? 'a'] = value(rnd, depth - 1);
    return out;
  }
  return rnd() < 0.5 ? v : value(rnd, 0);
}

describe('jsonDiff against the reference diff', () => {
  it('yields the same operations as the reference on 20,000 random document pairs', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const rnd = random(seed);
      const from = { root: value(rnd, 4) };
      const to = mutate(rnd, from, 5);
      const ours = JSON.parse(JSON.stringify(jsonDiff(from, to))) as unknown;
      const reference = JSON.parse(JSON.stringify(referenceDiff(from, to))) as unknown;
      if (JSON.stringify(ours) !== JSON.stringify(reference)) throw new Error(`seed ${seed}: ${JSON.stringify(ours)} != ${JSON.stringify(reference)}`);
    }
  });

  it('produces patches that turn the first document into the second (fast-json-patch)', () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const rnd = random(seed);
      const from = JSON.parse(JSON.stringify({ root: value(rnd, 4) })) as object;
      const to = JSON.parse(JSON.stringify(mutate(rnd, from, 5) ?? null)) as unknown;
      if (typeof to !== 'object' || to === null || Array.isArray(to)) continue;
      expect(roundTrip(from, to)).toEqual(to);
    }
  });
});

describe('toJson', () => {
  it.each([
    ['undefined keys dropped', { a: undefined, b: 1 }],
    ['undefined and function elements as null', [undefined, () => 1, 2]],
    ['non-finite numbers as null', { n: Number.NaN, i: -Infinity, z: 0 }],
    ['Dates through toJSON', { at: new Date(0), nested: [{ at: new Date(1000) }] }],
    ['nested plain data', { a: [{ b: 'c', d: [1, true, null] }], e: {} }],
  ])('writes what JSON.stringify writes: %s', (_name, v) => {
    expect(JSON.stringify(toJson(v))).toBe(JSON.stringify(v));
    expect(toJson(v)).toEqual(JSON.parse(JSON.stringify(v)));
  });

  it('returns plain JSON data as it is instead of copying it', () => {
    const v = { a: [{ b: 'c' }], n: 1 };
    expect(toJson(v)).toBe(v);
  });

  it('writes a top-level undefined as null, as the JSON round trip did', () => {
    expect(toJson(undefined)).toBeNull();
  });
});
