import { describe, expect, it } from '@jest/globals';
import {
  canonicalNonS3Path,
  canonicalQueryString,
  canonicalS3Path,
  canonicalUri,
  decodePathSegments,
  sigv4NormalizePath,
  parseQuery,
  serializeQuery,
  toQueryParams,
  uriEncode,
} from './uri.js';
import { codeOf, loadVectors, type SigV4Suite } from '../testdata/load.js';

const suite = loadVectors<SigV4Suite>('sigv4-suite.json');

describe('uriEncode', () => {
  it('keeps exactly the RFC 3986 unreserved set', () => {
    const unreserved = '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    expect(uriEncode(unreserved)).toBe(unreserved);
    expect(uriEncode(" !\"#$%&'()*+,/:;<=>?@[\\]^`{|}")).toBe('%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D');
  });

  it('encodes UTF-8 bytes with uppercase hex', () => {
    expect(uriEncode('ሴ')).toBe('%E1%88%B4');
    expect(uriEncode('€😀')).toBe('%E2%82%AC%F0%9F%98%80');
  });
});

describe('canonicalS3Path', () => {
  const cases: readonly [string, string, string][] = [
    ['a space', '/b/a%20b', '/b/a%20b'],
    ['a literal plus (never a space in a path)', '/b/a+b', '/b/a%2Bb'],
    ['an encoded plus', '/b/a%2Bb', '/b/a%2Bb'],
    ['an encoded slash inside a segment', '/b/a%2Fb', '/b/a%2Fb'],
    ['lowercase hex escapes', '/b/a%2fb%3a', '/b/a%2Fb%3A'],
    ['colon, at and equals', '/b/x:y@z=w', '/b/x%3Ay%40z%3Dw'],
    ['unicode, raw and encoded', '/b/€/%E2%82%AC', '/b/%E2%82%AC/%E2%82%AC'],
    ['double slashes', '/b//k//', '/b//k//'],
    ['dot segments', '/b/./../k/.', '/b/./../k/.'],
    ['an over-encoded unreserved character', '/b/%41', '/b/A'],
    ['the empty path', '', '/'],
  ];
  for (const [what, raw, canonical] of cases) {
    it(`handles ${what}`, () => {
      expect(canonicalS3Path(raw)).toBe(canonical);
    });
  }

  it('keeps a 1024-byte key intact', () => {
    const key = 'é'.repeat(512);
    const path = `/bucket/${encodeURIComponent(key)}`;
    expect(canonicalS3Path(path)).toBe(`/bucket/${'%C3%A9'.repeat(512)}`);
    expect(decodePathSegments(path)[2]).toBe(key);
  });

  it('is idempotent', () => {
    const once = canonicalS3Path('/b/a b+c/%2F/ሴ/!*()');
    expect(canonicalS3Path(once)).toBe(once);
  });

  it('refuses malformed percent-escapes', () => {
    for (const bad of ['/b/%', '/b/%4', '/b/%zz', '/b/%%41']) {
      expect(codeOf(() => canonicalS3Path(bad))).toBe('AWS_MALFORMED_PATH');
    }
  });
});

describe('canonicalNonS3Path', () => {
  it('double-encodes the wire path', () => {
    expect(canonicalNonS3Path('/documents%20and%20settings/')).toBe('/documents%2520and%2520settings/');
    expect(canonicalNonS3Path('/model/anthropic.claude-3%3A0/invoke')).toBe('/model/anthropic.claude-3%253A0/invoke');
  });

  it('matches the suite canonical URIs for the normalize-path cases', () => {
    const expected: Record<string, string> = {
      '/example/..': '/',
      '/example1/example2/../..': '/',
      '/./': '/',
      '//': '/',
      '/./example': '/example',
      '//example//': '/example/',
      '/example space/': '/example%20space/',
    };
    for (const [path, canonical] of Object.entries(expected)) expect(canonicalNonS3Path(path)).toBe(canonical);
  });

  it('never lets .. climb above the root', () => {
    expect(sigv4NormalizePath('/../../etc/passwd')).toBe('/etc/passwd');
  });
});

describe('canonicalUri', () => {
  it('uses S3 rules (no normalization) for the unnormalized suite cases', () => {
    for (const { path, canonical } of suite.unnormalizedCanonicalUris) expect(canonicalUri(path, 's3')).toBe(canonical);
  });

  it('uses S3 rules for s3-outposts and s3express, normalization for the rest', () => {
    expect(canonicalUri('/a/../b', 's3-outposts')).toBe('/a/../b');
    expect(canonicalUri('/a/../b', 's3express')).toBe('/a/../b');
    expect(canonicalUri('/a/../b', 'dynamodb')).toBe('/b');
  });
});

describe('parseQuery', () => {
  it('decodes + as a space and %2B as a plus', () => {
    expect(parseQuery('?prefix=a+b%2Bc')).toEqual([{ name: 'prefix', value: 'a b+c', hasEquals: true }]);
  });

  it('remembers valueless parameters and skips empty pieces', () => {
    expect(parseQuery('uploads&&acl=&x=1=2')).toEqual([
      { name: 'uploads', value: '', hasEquals: false },
      { name: 'acl', value: '', hasEquals: true },
      { name: 'x', value: '1=2', hasEquals: true },
    ]);
  });

  it('refuses malformed escapes and invalid UTF-8', () => {
    for (const bad of ['a=%', 'a=%G1', '%FF=1', 'a=%C3']) {
      expect(codeOf(() => parseQuery(bad))).toBe('AWS_MALFORMED_QUERY');
    }
  });

  it('round-trips through serializeQuery with full encoding, order and bare names preserved', () => {
    const params = parseQuery('b=2&uploads&a=x%20y+z&ሴ=bar&k=');
    expect(serializeQuery(params)).toBe('b=2&uploads&a=x%20y%20z&%E1%88%B4=bar&k=');
  });

  it('accepts URLSearchParams', () => {
    expect(toQueryParams(new URLSearchParams('a=1&b=x+y'))).toEqual([
      { name: 'a', value: '1', hasEquals: true },
      { name: 'b', value: 'x y', hasEquals: true },
    ]);
  });
});

describe('canonicalQueryString', () => {
  it('sorts by encoded name then value and gives bare names an =', () => {
    expect(canonicalQueryString(parseQuery('Param2=value2&Param1=value1&b=2&b=1&uploads'))).toBe('Param1=value1&Param2=value2&b=1&b=2&uploads=');
  });

  it('sorts by encoded bytes, as the suite requires', () => {
    expect(canonicalQueryString(parseQuery('Param-3=Value3&Param=Value2&%E1%88%B4=Value1'))).toBe('%E1%88%B4=Value1&Param=Value2&Param-3=Value3');
  });
});
