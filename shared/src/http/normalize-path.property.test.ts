// Property: the path Portcullis authorizes is a fixed point of normalization, has no dot segments in any
// spelling, and a path glob under a prefix never allows a path that normalizes outside it.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz, refusedOr } from '@portcullis/shared/testing/fuzz';
import { normalizePath, resolvePath } from './normalize-path.js';
import { pathGlob } from '../policy/glob.js';

// Pieces that matter to a normalizer: dots in every spelling, slashes, escapes (good and bad), odd bytes.
const piece = fc.oneof(
  fc.constantFrom('/', '.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2f', '%5c', '\\', '%00', '%', '%4', '%zz', '%41', '%7e', '~', '//', ' ', '\u00e9', '%c3%a9', 'a', 'b', 'allowed', 'x', ';', '?'),
  fc.string({ maxLength: 4 }),
);
const rawPath = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
const underPrefix = fc.tuple(fc.array(piece, { maxLength: 16 })).map(([parts]) => `/allowed/x/${parts.join('')}`);

/** Each segment fully percent-decoded (byte by byte, as Latin-1): what any upstream may make of it. */
const decodedSegments = (path: string): string[] => path.split('/').map((s) => s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));

describe('normalizePath under fuzzing', () => {
  it('is idempotent, leaves no dot segment in any spelling and refuses only with PATH_REJECTED', () => {
    fuzz(
      'normalize-path',
      fc.oneof(rawPath.map((p) => `/${p}`), rawPath),
      (raw) => {
        const once = refusedOr(() => normalizePath(raw), ['PATH_REJECTED']);
        if (once === undefined) return;
        expect(normalizePath(once)).toBe(once);
        expect(once.startsWith('/')).toBe(true);
        expect(once.slice(0, -1)).not.toContain('//');
        for (const seg of decodedSegments(once)) {
          expect(seg === '.' || seg === '..').toBe(false);
          expect(seg).not.toMatch(/[/\\\0]/);
        }
      },
      { runs: 3000 },
    );
  });

  it('returns what the full segment walk returns: the fast path for already-normal paths changes nothing', () => {
    const plain = fc.array(fc.oneof(fc.constantFrom('/', 'v1', 'models', '.well-known', 'a.b', '..', '.', '-_~', ':@!$&()*+,;=', '%41', '//'), fc.string({ maxLength: 4 })), { maxLength: 12 });
    fuzz(
      'normalize-path-fast',
      fc.oneof(plain.map((p) => `/${p.join('')}`), plain.map((p) => `/${p.join('/')}`), rawPath.map((p) => `/${p}`)),
      (raw) => {
        let full: string;
        try {
          full = resolvePath(raw);
        } catch (err) {
          expect(() => normalizePath(raw)).toThrow((err as Error).message);
          return;
        }
        if (raw.length > 8192) return;
        expect(normalizePath(raw)).toBe(full);
      },
      { runs: 5000 },
    );
  });

  it('never lets a glob under /allowed/x/ allow a path that normalizes outside it', () => {
    const globs = ['/allowed/x/**', '/allowed/x/*', '/allowed/x/*/b'].map(pathGlob);
    fuzz(
      'normalize-path+glob',
      fc.oneof(underPrefix, rawPath.map((p) => `/${p}`)),
      (raw) => {
        const path = refusedOr(() => normalizePath(raw), ['PATH_REJECTED']);
        if (path === undefined) return;
        const inside = path.startsWith('/allowed/x/');
        for (const glob of globs) if (glob.test(path)) expect(inside).toBe(true);
      },
      { runs: 3000 },
    );
  });
});
