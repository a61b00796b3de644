import { describe, expect, it } from '@jest/globals';
import { redactQuery } from './redact-query.js';

describe('redactQuery', () => {
  it('redacts credential-like parameters and the source injection parameter', () => {
    expect(redactQuery('q=cats&api_key=abc&X-Amz-Signature=f00&custom=1', 'custom')).toBe(
      'q=cats&api_key=REDACTED&X-Amz-Signature=REDACTED&custom=REDACTED',
    );
  });

  it('catches encoded parameter names', () => {
    expect(redactQuery('%74oken=abc', undefined)).toBe('%74oken=REDACTED');
  });

  it('leaves other parameters and bare flags alone', () => {
    expect(redactQuery('limit=10&uploads&prefix=a%2Fb', undefined)).toBe('limit=10&uploads&prefix=a%2Fb');
  });
});
