/**
 * Test oracle: the rules where Portcullis decides something smithy leaves to its caller, each written
 * from the AWS documentation it follows, independently of the re-signer's own helpers.
 */
import { oracleError } from './oracle-error.js';

export const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';

/** The aws-chunked modes (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html); SigV4a's ECDSA modes are not supported. */
const STREAMING_MODES: ReadonlySet<string> = new Set(['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']);

export function isStreamingMode(value: string | undefined): boolean {
  return value !== undefined && STREAMING_MODES.has(value);
}

const LOWER_HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * The payload hash a header-signed request is re-signed with. AWS rule (S3 "Signature calculations for
 * the Authorization header"): x-amz-content-sha256 is the lowercase hex SHA-256 of the body,
 * UNSIGNED-PAYLOAD or a streaming mode; anything else is refused rather than signed. Without the header
 * the caller's hash of the buffered body is used (smithy would hash a body it has; the proxy has none).
 */
export function payloadHashToSign(sent: string | undefined, bodySha256: string | undefined): string {
  if (sent === undefined) {
    if (bodySha256 !== undefined && LOWER_HEX_SHA256.test(bodySha256)) return bodySha256;
    throw oracleError('AWS_PAYLOAD_HASH_REQUIRED', 'no payload hash');
  }
  if (sent === 'UNSIGNED-PAYLOAD' || LOWER_HEX_SHA256.test(sent) || isStreamingMode(sent)) return sent;
  throw oracleError('AWS_UNSUPPORTED_PAYLOAD_SIGNING', `unsupported payload hash ${sent}`);
}

/**
 * Signing names that follow S3's URI rules (single encoding, no normalization): S3 and the S3 APIs
 * signed under their own names (S3 on Outposts, S3 Express One Zone, S3 Object Lambda).
 */
export function hasS3UriRules(signingName: string): boolean {
  return ['s3', 's3-outposts', 's3express', 's3-object-lambda'].includes(signingName);
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, NaN when malformed. */
function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (m === null) return Number.NaN;
  const [, year, month, day, hour, minute, second] = m.map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year ?? Number.NaN, (month ?? Number.NaN) - 1, day);
  date.setUTCHours(hour ?? Number.NaN, minute, second, 0);
  return date.getTime();
}

/**
 * X-Amz-Expires of the re-signed URL: the whole seconds left before the app's own deadline (its
 * X-Amz-Date plus X-Amz-Expires), never more than the app asked for; an expired URL is refused (AWS rule:
 * X-Amz-Expires is at least 1).
 */
export function presignedSecondsLeft(appAmzDate: string, appExpiresSeconds: number, now: Date): number {
  const deadlineMs = parseAmzDate(appAmzDate) + appExpiresSeconds * 1000;
  const left = Math.floor((deadlineMs - now.getTime()) / 1000);
  if (!(left >= 1)) throw oracleError('AWS_PRESIGNED_URL_EXPIRED', 'expired');
  return Math.min(left, appExpiresSeconds);
}
