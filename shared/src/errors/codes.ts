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
  // AWS sources: the codes of the pure AWS core (shared/src/aws/errors.ts) plus what the sidecar adds.
  AWS_MALFORMED_AUTHORIZATION: 400,
  AWS_UNSUPPORTED_SIGNING_ALGORITHM: 400,
  AWS_MALFORMED_CHUNKED_BODY: 400,
  AWS_CHUNK_SIGNATURE_MISMATCH: 400,
  AWS_CHUNKED_CHECKSUM_MISMATCH: 400,
  AWS_UNSUPPORTED_SERVICE: 400,
  AWS_UNSUPPORTED_REGION: 400,
  AWS_UNSUPPORTED_ENDPOINT_VARIANT: 400,
  AWS_MALFORMED_PATH: 400,
  AWS_MALFORMED_QUERY: 400,
  AWS_MALFORMED_BODY: 400,
  AWS_UNCLASSIFIED_REQUEST: 403,
  AWS_UNSUPPORTED_PAYLOAD_SIGNING: 400,
  AWS_PAYLOAD_HASH_REQUIRED: 400,
  AWS_PRESIGNED_URL_EXPIRED: 403,
  AWS_BODY_TOO_LARGE: 413,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code] || 500;
}
