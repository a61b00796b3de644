const JWT_LIKE = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g;
const LONG_OPAQUE = /[A-Za-z0-9+/_=.~-]{40,}/g;
const MAX_CHARS = 300;

/**
 * A token endpoint's or secrets manager's own explanation, on one line, with anything shaped like a JWT,
 * a token or a key blanked out (`extra` adds provider-specific token shapes), shortened to 300 characters:
 * these texts are written to logs and answered to the app, and a provider may echo what it was sent.
 */
export function cleanProviderText(text: string, extra: readonly RegExp[] = []): string {
  let clean = text.replace(/\s+/g, ' ').trim().replace(JWT_LIKE, '[redacted]');
  for (const shape of extra) clean = clean.replace(shape, '[redacted]');
  return clean.replace(LONG_OPAQUE, '[redacted]').slice(0, MAX_CHARS);
}
