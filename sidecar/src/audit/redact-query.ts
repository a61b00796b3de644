/** Query parameter names whose values are credentials or signatures (compared case-insensitively). */
const SECRET_PARAMS = new Set([
  'key',
  'api_key',
  'apikey',
  'api-key',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'auth',
  'password',
  'secret',
  'client_secret',
  'code',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
]);

export const REDACTED = 'REDACTED';

/**
 * The raw query with the values of credential-like parameters (and of `extra`, the source's own
 * injection parameter) replaced by REDACTED; everything else kept as sent.
 */
export function redactQuery(rawQuery: string, extra: string | undefined): string {
  if (rawQuery === '') return '';
  const extraLower = extra?.toLowerCase();
  const parts = rawQuery.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let name = part.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    const lower = name.toLowerCase();
    if (SECRET_PARAMS.has(lower) || lower === extraLower) parts[i] = `${part.slice(0, eq)}=${REDACTED}`;
  }
  return parts.join('&');
}
