import { PortcullisError, type ErrorCode } from '@portcullis/shared';
import { cleanProviderText } from '../provider-text.js';
import type { VaultAnswer } from './vault-http.js';

/** Vault's token prefixes (service, batch, recovery; the older s./b./r.). */
const TOKEN_LIKE = /\b(?:hvs|hvb|hvr|s|b|r)\.[A-Za-z0-9_-]{16,}/g;

/**
 * Vault's own explanation (`{"errors": [...]}`), shortened, with anything shaped like a token, a JWT or
 * a key blanked out: error texts are written to logs and answered to the app.
 */
export function vaultReason(body: unknown): string {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  const texts = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  const text = cleanProviderText(texts.join('; '), [TOKEN_LIKE]);
  return text === '' ? 'no reason given' : text;
}

/** True for answers that mean "Vault is not able to answer now" (sealed, standby, overloaded, down). */
export function isOutage(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/**
 * The error for a Vault answer that is not a success: 403 → VAULT_PERMISSION_DENIED, 404 →
 * VAULT_SECRET_NOT_FOUND, 5xx/429 (sealed, standby, unavailable) → VAULT_UNAVAILABLE, any other →
 * VAULT_ANSWER_INVALID. `what` names the call ("reading secret/data/x for source y").
 */
export function vaultAnswerError(answer: VaultAnswer, what: string, fix: string): PortcullisError {
  const reason = vaultReason(answer.body);
  let code: ErrorCode = 'VAULT_ANSWER_INVALID';
  if (answer.status === 403) code = 'VAULT_PERMISSION_DENIED';
  else if (answer.status === 404) code = 'VAULT_SECRET_NOT_FOUND';
  else if (isOutage(answer.status)) code = 'VAULT_UNAVAILABLE';
  else if (answer.status === 400 && /not authorized|permission denied|invalid role|audience/i.test(reason)) code = 'VAULT_PERMISSION_DENIED';
  const hint = code === 'VAULT_UNAVAILABLE' ? 'check that Vault is unsealed and healthy' : fix;
  return new PortcullisError(code, `${what}: Vault answered ${answer.status} (${reason}); ${hint}`);
}

/** The error for a call that got no answer at all (connection refused, TLS, timeout). */
export function vaultNetworkError(err: unknown, what: string): PortcullisError {
  if (err instanceof PortcullisError && err.code === 'VAULT_ANSWER_INVALID') return new PortcullisError(err.code, `${what}: ${err.message}`);
  const e = err as NodeJS.ErrnoException;
  const detail = err instanceof PortcullisError ? err.message : (e.code ?? (e instanceof Error ? e.message.slice(0, 200) : 'unknown error'));
  return new PortcullisError('VAULT_UNAVAILABLE', `${what}: Vault could not be reached (${detail}); check vault.address, the network path to it and vault.caBundle`, { cause: err });
}

/** A 2xx answer whose body lacks what the call returns. */
export function vaultInvalidAnswer(what: string, missing: string): PortcullisError {
  return new PortcullisError('VAULT_ANSWER_INVALID', `${what}: Vault's answer has no ${missing}; check that the mount is of the expected type`);
}
