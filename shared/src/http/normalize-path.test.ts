import { describe, expect, it } from '@jest/globals';
import { normalizePath, splitTarget } from './normalize-path.js';

describe('normalizePath', () => {
  it.each([
    ['/', '/'],
    ['/v1/models', '/v1/models'],
    ['/v1/models/', '/v1/models/'],
    ['//v1//models', '/v1/models'],
    ['/v1/./models', '/v1/models'],
    ['/v1/chat/../models', '/v1/models'],
    ['/v1/models/.', '/v1/models/'],
    ['/v1/models/..', '/v1/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/v1/%61dmin', '/v1/admin'],
    ['/v1/%7euser', '/v1/~user'],
    ['/v1/a%3ab', '/v1/a%3Ab'],
    ['/v1/%e2%82%ac', '/v1/%E2%82%AC'],
  ])('normalizes %s to %s', (raw, expected) => {
    expect(normalizePath(raw)).toBe(expected);
  });

  describe('does not let a denied path slip past as an allowed-looking one', () => {
    it.each([
      ['/v1/chat/%2e%2e/admin', '/v1/admin'],
      ['/v1/chat/%2E%2E/admin', '/v1/admin'],
      ['/v1/chat/.%2e/admin', '/v1/admin'],
      ['/v1/chat/%2e/admin', '/v1/chat/admin'],
      ['/v1/chat//..//admin', '/v1/admin'],
    ])('resolves encoded dot segments: %s -> %s', (raw, expected) => {
      expect(normalizePath(raw)).toBe(expected);
    });

    it.each([
      ['/v1/chat%2f..%2fadmin'],
      ['/v1/chat%2F..%2Fadmin'],
      ['/v1/chat%5c..%5cadmin'],
      ['/v1/chat\\..\\admin'],
      ['/v1/%00admin'],
      ['/v1/%0aadmin'],
      ['/v1/%zzadmin'],
      ['/v1/%4'],
      ['/v1/ admin'],
      ['/v1/\u00e9'],
      ['v1/models'],
      ['http://evil.example/v1/models'],
      ['*'],
      [''],
    ])('refuses %j with PATH_REJECTED', (raw) => {
      expect(() => normalizePath(raw)).toThrow(expect.objectContaining({ code: 'PATH_REJECTED' }));
    });
  });

  it('refuses overlong paths', () => {
    expect(() => normalizePath(`/${'a'.repeat(9000)}`)).toThrow(/longer than/);
  });

  it('is idempotent', () => {
    for (const raw of ['/a/./b/../c//d/', '/%7e/%2e%2e/x', '/x/%41%3a']) {
      const once = normalizePath(raw);
      expect(normalizePath(once)).toBe(once);
    }
  });
});

describe('splitTarget', () => {
  it('separates path and query', () => {
    expect(splitTarget('/a/b?x=1&y=2')).toEqual({ path: '/a/b', query: 'x=1&y=2' });
    expect(splitTarget('/a')).toEqual({ path: '/a', query: '' });
    expect(splitTarget('/a?')).toEqual({ path: '/a', query: '' });
  });
});
