import { describe, expect, it } from '@jest/globals';
import { cleanProviderText } from './provider-text.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6dGVhbS1hOmFnZW50In0.c2lnbmF0dXJlLWJ5dGVz';

describe('cleanProviderText', () => {
  it.each([
    ['a JWT the provider echoed', `AADSTS700024: Client assertion ${JWT} is not within its valid time range.`, 'AADSTS700024: Client assertion [redacted] is not within its valid time range.'],
    ['a long opaque token', `bad token ghs_${'A'.repeat(40)} given`, 'bad token [redacted] given'],
    ['a base64 key with / and +', `key ${'ab+/'.repeat(12)}== refused`, 'key [redacted] refused'],
    ['whitespace and newlines', '  permission\n\tdenied  ', 'permission denied'],
  ])('blanks out %s', (_name, text, want) => {
    expect(cleanProviderText(text)).toBe(want);
    expect(cleanProviderText(text)).not.toContain(JWT);
  });

  it('applies provider-specific token shapes', () => {
    expect(cleanProviderText('token hvs.CAESIJ1234567890abcdef expired', [/\bhvs\.[A-Za-z0-9_-]{16,}/g])).toBe('token [redacted] expired');
  });

  it('keeps ordinary words, URLs and error codes, and cuts at 300 characters', () => {
    expect(cleanProviderText('invalid_grant: audience api://AzureADTokenExchange not accepted by https://login.example/tenant')).toBe(
      'invalid_grant: audience api://AzureADTokenExchange not accepted by https://login.example/tenant',
    );
    expect(cleanProviderText('word '.repeat(100))).toHaveLength(300);
  });
});
