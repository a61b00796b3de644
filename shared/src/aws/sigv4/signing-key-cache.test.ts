import { describe, expect, it } from '@jest/globals';
import { parseSigV4 } from './credential-scope.js';
import { resolveEndpoint } from '../endpoints/resolve-endpoint.js';
import { resignRequest } from './resign.js';
import type { ResignInput } from './resign-common.js';
import { SigningKeyCache } from './signing-key-cache.js';
import { deriveSigningKey } from './signing-key.js';

const hex = (k: { export(): Buffer }): string => k.export().toString('hex');

describe('SigningKeyCache', () => {
  it('derives the SigV4 signing key once per date, region and service', () => {
    const cache = new SigningKeyCache();
    const first = cache.get('secret', '20260101', 'eu-west-1', 's3');
    expect(hex(first)).toBe(deriveSigningKey('secret', '20260101', 'eu-west-1', 's3').toString('hex'));
    expect(cache.get('secret', '20260101', 'eu-west-1', 's3')).toBe(first);
    expect(hex(cache.get('secret', '20260102', 'eu-west-1', 's3'))).toBe(deriveSigningKey('secret', '20260102', 'eu-west-1', 's3').toString('hex'));
    expect(hex(cache.get('secret', '20260101', 'eu-west-1', 'dynamodb'))).toBe(deriveSigningKey('secret', '20260101', 'eu-west-1', 'dynamodb').toString('hex'));
    expect(cache.size).toBe(3);
  });

  it('drops every key of a secret once another secret is used (rotated credentials)', () => {
    const cache = new SigningKeyCache();
    const old = cache.get('old-secret', '20260101', 'eu-west-1', 's3');
    cache.get('old-secret', '20260101', 'us-east-1', 's3');
    const fresh = cache.get('new-secret', '20260101', 'eu-west-1', 's3');
    expect(cache.size).toBe(1);
    expect(hex(fresh)).toBe(deriveSigningKey('new-secret', '20260101', 'eu-west-1', 's3').toString('hex'));
    expect(hex(fresh)).not.toBe(hex(old));
  });

  it('holds at most maxEntries keys, dropping the oldest', () => {
    const cache = new SigningKeyCache(2);
    const a = cache.get('s', '20260101', 'r1', 'svc');
    cache.get('s', '20260101', 'r2', 'svc');
    cache.get('s', '20260101', 'r3', 'svc');
    expect(cache.size).toBe(2);
    expect(cache.get('s', '20260101', 'r1', 'svc')).not.toBe(a);
    expect(() => new SigningKeyCache(0)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('signs with the new secret as soon as the credentials rotate', () => {
    const cache = new SigningKeyCache();
    const authorization = `AWS4-HMAC-SHA256 Credential=placeholder/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    const headers = { authorization, 'x-amz-date': '20260101T000000Z', 'x-amz-content-sha256': 'a'.repeat(64) };
    const scope = parseSigV4({ headers, query: '' });
    if (scope === undefined) throw new Error('unsigned');
    const base: Omit<ResignInput, 'credentials'> = {
      method: 'POST',
      path: '/',
      query: '',
      headers,
      scope,
      endpoint: resolveEndpoint({ service: 'dynamodb', region: 'eu-west-1' }),
      now: new Date('2026-01-01T00:00:05Z'),
    };
    const before = { accessKeyId: 'ASIAOLD', secretAccessKey: 'old-secret', sessionToken: 'old-token' };
    const after = { accessKeyId: 'ASIANEW', secretAccessKey: 'new-secret', sessionToken: 'new-token' };
    resignRequest({ ...base, credentials: before, signingKeys: cache });
    const rotated = resignRequest({ ...base, credentials: after, signingKeys: cache });
    expect(rotated.headers.authorization).toBe(resignRequest({ ...base, credentials: after }).headers.authorization);
    expect(rotated.headers.authorization).not.toBe(resignRequest({ ...base, credentials: { ...after, secretAccessKey: 'old-secret' } }).headers.authorization);
    expect(rotated.headers['x-amz-security-token']).toBe('new-token');
  });
});
