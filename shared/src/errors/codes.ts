/**
 * Every error code Portcullis reports, with the HTTP status the sidecar answers with (0: not an HTTP
 * answer, e.g. a start-up error). Each code is documented in docs/errors.md; a test fails otherwise.
 */
export const ERROR_CODES = {
  IDENTITY_UNAVAILABLE: 503,
  POLICY_NOT_SYNCED: 503,
  POLICY_DENIED: 403,
  SOURCE_NOT_CONFIGURED: 503,
  CREDENTIAL_UNAVAILABLE: 503,
  PATH_REJECTED: 400,
  REQUEST_REJECTED: 400,
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_TLS_FAILED: 502,
  INTERNAL: 500,
  CONFIG_INVALID: 0,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code] || 500;
}
