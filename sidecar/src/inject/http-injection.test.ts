import type { OutgoingHttpHeaders } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { compileInjection, withoutParameter } from './http-injection.js';

const apply = (injection: Parameters<typeof compileInjection>[0], secret = 'real-key'): OutgoingHttpHeaders => {
  const headers: OutgoingHttpHeaders = {};
  compileInjection(injection).apply(headers, secret);
  return headers;
};

describe('compileInjection', () => {
  it('sets a bearer token', () => {
    expect(apply({ type: 'Bearer' })).toEqual({ authorization: 'Bearer real-key' });
  });

  it('sets a named header with its prefix, lower-cased', () => {
    expect(apply({ type: 'Header', header: { name: 'X-Api-Key' } })).toEqual({ 'x-api-key': 'real-key' });
    expect(apply({ type: 'Header', header: { name: 'Authorization', prefix: 'token ' } })).toEqual({ authorization: 'token real-key' });
    expect(compileInjection({ type: 'Header', header: { name: 'X-Api-Key' } }).stripHeaders).toEqual(new Set(['x-api-key']));
  });

  it('sets basic auth with the key as password of a fixed user, or as user (Stripe style)', () => {
    expect(apply({ type: 'Basic', basic: { username: 'api' } })).toEqual({
      authorization: `Basic ${Buffer.from('api:real-key').toString('base64')}`,
    });
    expect(apply({ type: 'Basic' })).toEqual({ authorization: `Basic ${Buffer.from('real-key:').toString('base64')}` });
  });

  it('puts the key in the query, replacing the app value however it was encoded', () => {
    const q = compileInjection({ type: 'QueryParameter', queryParameter: { name: 'key' } });
    expect(q.query('', 's3cr&t')).toBe('key=s3cr%26t');
    expect(q.query('a=1&key=placeholder&%6Bey=again&b=x%20y', 'k')).toBe('a=1&b=x%20y&key=k');
    expect(apply({ type: 'QueryParameter', queryParameter: { name: 'key' } })).toEqual({});
  });

  it('refuses a Header injection without a name', () => {
    expect(() => compileInjection({ type: 'Header' })).toThrow(/header.name/);
  });
});

describe('withoutParameter', () => {
  it('keeps other pairs exactly as encoded', () => {
    expect(withoutParameter('x=a+b&key=1&y=%2F', 'key')).toBe('x=a+b&y=%2F&');
    expect(withoutParameter('', 'key')).toBe('');
  });
});
