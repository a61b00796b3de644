import { PortcullisError } from '../../errors/portcullis-error.js';

// Errors raised by the pure AWS core. Each code is stable (audit lines, metrics and docs/errors.md key on
// it) and listed once, here: what it means, what the user should do, and the HTTP status the sidecar
// answers with (the shared catalogue, errors/codes.ts, takes the statuses from this table; the status is
// applied only at the edge). shared/src/errors/codes.test.ts fails when a code is not in docs/errors.md.

export interface AwsErrorCodeInfo {
  /** The HTTP status the sidecar answers with. */
  readonly status: number;
  /** What happened, in one line. */
  readonly meaning: string;
  /** What the operator or app author should do about it. */
  readonly remedy: string;
}

export const AWS_ERROR_CODES = Object.freeze({
  AWS_MALFORMED_AUTHORIZATION: {
    status: 400,
    meaning: 'The SigV4 Authorization header or presigned-URL query parameters could not be parsed.',
    remedy: 'Use an AWS SDK or CLI to sign the request; hand-built signatures must follow SigV4 exactly.',
  },
  AWS_UNSUPPORTED_SIGNING_ALGORITHM: {
    status: 400,
    meaning: 'The request is signed with an algorithm other than AWS4-HMAC-SHA256 (a SigV2 Authorization header, SigV4a, ...); SigV2 presigned S3 URLs are re-issued as SigV4.',
    remedy: 'Configure the SDK for SigV4 (e.g. disable multi-region access points / SigV4a) when going through Portcullis.',
  },
  AWS_MALFORMED_CHUNKED_BODY: {
    status: 400,
    meaning: 'An aws-chunked request body broke the framing rules (size line, CRLF, length, trailer).',
    remedy: 'The upload was aborted. Retry with an AWS SDK; if it persists, report the SDK and version.',
  },
  AWS_CHUNK_SIGNATURE_MISMATCH: {
    status: 400,
    meaning: 'A chunk or trailer signature in an aws-chunked body did not match the placeholder key.',
    remedy: 'The body was altered in transit or signed with a different key than the app was given; the upload was aborted.',
  },
  AWS_CHUNKED_CHECKSUM_MISMATCH: {
    status: 400,
    meaning: 'The x-amz-checksum-* trailer of an aws-chunked body does not match the data that was sent.',
    remedy: 'The upload was aborted; retry it. Persistent mismatches point at a broken client or network path.',
  },
  AWS_UNSUPPORTED_SERVICE: {
    status: 400,
    meaning: 'The service in the credential scope has no endpoint Portcullis can derive on its own.',
    remedy: 'Set an explicit upstream endpoint on the CredentialSource for this service (e.g. execute-api, Lambda URLs).',
  },
  AWS_SERVICE_NOT_SERVED: {
    status: 403,
    meaning: 'The call is signed for a service that is not in the spec.aws.services of the CredentialSource it reached.',
    remedy: 'Point the app at the source that serves this service (its AWS_ENDPOINT_URL_<SERVICE>), or add the service to spec.aws.services.',
  },
  AWS_UNSUPPORTED_REGION: {
    status: 400,
    meaning: 'The region in the credential scope is not one of the supported partitions (aws, aws-cn, aws-us-gov).',
    remedy: 'Check the region the app is configured with, or set an explicit upstream endpoint.',
  },
  AWS_UNSUPPORTED_ENDPOINT_VARIANT: {
    status: 400,
    meaning: 'The FIPS or dual-stack variant was requested for a service or partition that does not offer it.',
    remedy: 'Turn the variant off for this CredentialSource or set an explicit upstream endpoint.',
  },
  AWS_MALFORMED_PATH: {
    status: 400,
    meaning: 'The request path has an invalid percent-escape or is not valid UTF-8 once decoded.',
    remedy: 'Percent-encode the path as UTF-8 (AWS SDKs do this); raw bytes and lone % signs are refused.',
  },
  AWS_MALFORMED_QUERY: {
    status: 400,
    meaning: 'The query string has an invalid percent-escape, is not valid UTF-8, or repeats a parameter ambiguously.',
    remedy: 'Percent-encode query parameters as UTF-8 (AWS SDKs do this).',
  },
  AWS_MALFORMED_BODY: {
    status: 400,
    meaning: 'A request body Portcullis had to read to classify the call (e.g. S3 DeleteObjects XML) is malformed or too large.',
    remedy: 'Send well-formed bodies within the documented limits (DeleteObjects: at most 1000 keys).',
  },
  AWS_UNCLASSIFIED_REQUEST: {
    status: 403,
    meaning: 'Portcullis could not tell which AWS action this request performs, so it cannot be authorized.',
    remedy: 'Report the service and API call so a classifier row can be added; until then the call is refused.',
  },
  AWS_UNSUPPORTED_PAYLOAD_SIGNING: {
    status: 400,
    meaning: 'The x-amz-content-sha256 value names a payload signing mode Portcullis does not support.',
    remedy: 'Use SigV4 payload signing (hex hash, UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] or STREAMING-UNSIGNED-PAYLOAD-TRAILER).',
  },
  AWS_PAYLOAD_HASH_REQUIRED: {
    status: 400,
    meaning: 'The request carries no x-amz-content-sha256 header and the caller supplied no payload hash.',
    remedy: 'Internal: the sidecar must hash small bodies of non-S3 requests before re-signing them.',
  },
  AWS_PRESIGNED_URL_EXPIRED: {
    status: 403,
    meaning: 'The presigned URL the app used has already expired (X-Amz-Date + X-Amz-Expires, or a SigV2 URL\'s Expires, is in the past).',
    remedy: 'Generate a fresh presigned URL.',
  },
} as const satisfies Record<`AWS_${string}`, AwsErrorCodeInfo>);

/** The codes of the AWS core: the keys of AWS_ERROR_CODES. */
export type AwsErrorCode = keyof typeof AWS_ERROR_CODES;

/**
 * Error of the AWS core: a PortcullisError whose code is one of AWS_ERROR_CODES and whose message ends
 * with the code's remedy.
 */
export class AwsProtocolError extends PortcullisError {
  override readonly name: string = 'AwsProtocolError';
  declare readonly code: AwsErrorCode;

  constructor(code: AwsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, `${message} (${code}: ${AWS_ERROR_CODES[code].remedy})`, options);
  }
}

/** True when `err` is an AwsProtocolError, optionally with the given code. */
export function isAwsProtocolError(err: unknown, code?: AwsErrorCode): err is AwsProtocolError {
  return err instanceof AwsProtocolError && (code === undefined || err.code === code);
}
