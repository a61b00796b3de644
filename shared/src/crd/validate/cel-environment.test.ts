import { describe, expect, it } from '@jest/globals';
import { isUrl, kubernetesCelEnvironment } from './cel-environment.js';

describe('isURL', () => {
  it.each(['https://api.example.com', 'http://10.0.0.1:8080/v1', '/just/a/path', 'https://h/a%20b'])('accepts %s', (url) => {
    expect(isUrl(url)).toBe(true);
  });

  it.each(['api.example.com', 'https://host:port', 'https://h/%zz', 'https://h/\u0001', 'relative/path', ''])('refuses %j', (url) => {
    expect(isUrl(url)).toBe(false);
  });
});

describe('the CEL environment', () => {
  it('has what the CRDs use: optional fields, lowerAscii, exists_one, isURL', () => {
    const env = kubernetesCelEnvironment();
    expect(env.evaluate("self.?a.orValue(false)", { self: {} })).toBe(false);
    expect(env.evaluate("self.lowerAscii() in ['host']", { self: 'Host' })).toBe(true);
    expect(env.evaluate('self.exists_one(x, x == 1)', { self: [1n, 1n] })).toBe(false);
    expect(env.evaluate("isURL(self)", { self: 'https://x' })).toBe(true);
  });
});
