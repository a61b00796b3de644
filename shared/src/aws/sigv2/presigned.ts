/**
 * S3 query-string authentication with Signature Version 2 (`?AWSAccessKeyId=…&Expires=…&Signature=…`),
 * what boto3's `generate_presigned_url` makes unless `signature_version="s3v4"` is configured. Portcullis
 * never checks the app's signature (placeholder keys): it reads the expiry, drops the SigV2 parameters and
 * re-issues the request as a SigV4 presigned URL for the time that is left (resignRequest with the scope
 * `sigV2AsSigV4Scope` returns). SigV2 names no region; the caller supplies the one to sign for.
 */
import { AwsProtocolError } from '../errors/protocol-error.js';
import { PresignedUrlExpiredError } from '../errors/presigned-expired.js';
import type { SigV4Scope } from '../sigv4/credential-scope.js';
import { toQueryParams, type QueryParam } from '../request/uri.js';

/** The SigV2 query parameters, removed before classification and re-signing. */
export const SIGV2_QUERY_PARAMS: ReadonlySet<string> = new Set(['AWSAccessKeyId', 'Signature', 'Expires', 'x-amz-security-token']);
/** The longest SigV4 presigned URL (7 days); a SigV2 URL valid for longer is re-issued for this long. */
export const MAX_SIGV4_PRESIGNED_SECONDS = 604_800;

const ACCESS_KEY_ID = /^[A-Za-z0-9._-]{1,128}$/;
// HMAC-SHA1 in base64 (28 characters); some tools leave the padding off.
const SIGNATURE = /^[A-Za-z0-9+/]{27}=?$/;
const EXPIRES = /^\d{1,12}$/;

export interface SigV2Presigned {
  readonly accessKeyId: string;
  /** `Expires`: the deadline, in seconds since the epoch. */
  readonly expiresEpochSeconds: number;
  readonly hasSecurityToken: boolean;
}

function malformed(detail: string): AwsProtocolError {
  return new AwsProtocolError('AWS_MALFORMED_AUTHORIZATION', `SigV2 presigned URL: ${detail}`);
}

function single(params: readonly QueryParam[], name: string): string | undefined {
  let found: string | undefined;
  for (const p of params) {
    if (p.name !== name) continue;
    if (found !== undefined) throw malformed(`${name} appears more than once`);
    found = p.value;
  }
  return found;
}

/**
 * The SigV2 presigned parameters of a query, undefined when it has none of them; throws
 * AWS_MALFORMED_AUTHORIZATION when some are missing, repeated or malformed.
 */
export function parseSigV2Presigned(query: string | URLSearchParams | readonly QueryParam[]): SigV2Presigned | undefined {
  const params = toQueryParams(query);
  const accessKeyId = single(params, 'AWSAccessKeyId');
  const signature = single(params, 'Signature');
  const expires = single(params, 'Expires');
  if (accessKeyId === undefined && signature === undefined && expires === undefined) return undefined;
  if (accessKeyId === undefined || signature === undefined || expires === undefined) throw malformed('AWSAccessKeyId, Signature and Expires are all required');
  if (params.some((p) => p.name.startsWith('X-Amz-') && p.name !== 'X-Amz-Security-Token')) throw malformed('SigV2 and SigV4 parameters are mixed');
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw malformed('AWSAccessKeyId is not an access key id');
  if (!SIGNATURE.test(signature)) throw malformed('Signature is not a base64 HMAC-SHA1');
  if (!EXPIRES.test(expires)) throw malformed('Expires must be seconds since the epoch');
  return { accessKeyId, expiresEpochSeconds: Number(expires), hasSecurityToken: single(params, 'x-amz-security-token') !== undefined };
}

/** `YYYYMMDDTHHMMSSZ` of an instant. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The SigV4 scope a SigV2 URL is re-issued under: signed now, for S3 in `region`, valid until the SigV2
 * deadline (at most 7 days). Throws PresignedUrlExpiredError (AWS_PRESIGNED_URL_EXPIRED) once the deadline
 * has passed: S3 refuses a SigV2 URL at its `Expires` second.
 */
export function sigV2AsSigV4Scope(v2: SigV2Presigned, region: string, now: Date): SigV4Scope {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const left = v2.expiresEpochSeconds - nowSeconds;
  if (!(left >= 1)) throw new PresignedUrlExpiredError(new Date(v2.expiresEpochSeconds * 1000), now);
  const date = amzDate(nowSeconds * 1000);
  return {
    accessKeyId: v2.accessKeyId,
    date: date.slice(0, 8),
    region,
    service: 's3',
    signedHeaders: ['host'],
    // Never checked or sent: the re-signer makes a new signature with the real key.
    signature: '0'.repeat(64),
    presigned: true,
    amzDate: date,
    expiresSeconds: Math.min(left, MAX_SIGV4_PRESIGNED_SECONDS),
    hasSecurityToken: v2.hasSecurityToken,
  };
}

/** The query without the SigV2 parameters: what is classified and re-signed. */
export function withoutSigV2Params(query: string | URLSearchParams | readonly QueryParam[]): QueryParam[] {
  return toQueryParams(query).filter((p) => !SIGV2_QUERY_PARAMS.has(p.name));
}
