import { describe, expect, it } from '@jest/globals';
import { vaultAnswerError, vaultNetworkError, vaultReason } from './vault-error.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJhdWQiOlsidmF1bHQiXSwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';

describe('vaultAnswerError', () => {
  it.each([
    [403, 'VAULT_PERMISSION_DENIED'],
    [404, 'VAULT_SECRET_NOT_FOUND'],
    [503, 'VAULT_UNAVAILABLE'], // sealed or standby
    [500, 'VAULT_UNAVAILABLE'],
    [429, 'VAULT_UNAVAILABLE'],
    [412, 'VAULT_ANSWER_INVALID'],
  ])('maps %i to %s', (status, code) => {
    expect(vaultAnswerError({ status, body: { errors: ['x'] } }, 'reading', 'fix it').code).toBe(code);
  });

  it('treats a 400 login refusal for a service account or audience as VAULT_PERMISSION_DENIED', () => {
    expect(vaultAnswerError({ status: 400, body: { errors: ['invalid role name "x"'] } }, 'login', 'fix').code).toBe('VAULT_PERMISSION_DENIED');
    expect(vaultAnswerError({ status: 400, body: { errors: ['service account name not authorized'] } }, 'login', 'fix').code).toBe('VAULT_PERMISSION_DENIED');
  });

  it('says to check that Vault is unsealed when it answers 503', () => {
    expect(vaultAnswerError({ status: 503, body: { errors: ['Vault is sealed'] } }, 'reading', 'fix').message).toBe('reading: Vault answered 503 (Vault is sealed); check that Vault is unsealed and healthy');
  });

  it('maps a refused connection to VAULT_UNAVAILABLE naming the errno only', () => {
    const err = vaultNetworkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8200'), { code: 'ECONNREFUSED' }), 'login');
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toContain('(ECONNREFUSED)');
  });
});

describe('vaultReason never carries a credential Vault echoed', () => {
  it.each([
    ['a JWT', `failed to validate JWT ${JWT}`],
    ['a Vault service token', 'token hvs.CAESIJlWh8Zr0i4qYlTqQvQmJ4s0yXpHb2oQe8 is invalid'],
    ['an OpenBao token', 'bad token s.HjKYOVPT7reFLtajaJTqfqx1'],
    ['a long opaque value', 'value wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYwJalrXUtnFEMI is not valid'],
  ])('blanks %s', (_what, text) => {
    const reason = vaultReason({ errors: [text] });
    expect(reason).toContain('[redacted]');
    for (const secret of [JWT, 'hvs.CAESIJlWh8Zr0i4qYlTqQvQmJ4s0yXpHb2oQe8', 's.HjKYOVPT7reFLtajaJTqfqx1', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']) {
      expect(reason).not.toContain(secret);
    }
  });

  it('keeps what a person needs, shortened', () => {
    expect(vaultReason({ errors: ['permission denied'] })).toBe('permission denied');
    expect(vaultReason({ errors: [] })).toBe('no reason given');
    expect(vaultReason({ errors: ['x'.repeat(39).concat(' ').repeat(20)] }).length).toBeLessThanOrEqual(300);
  });
});
