/**
 * Types and helpers shared by the header-signed and presigned re-signers.
 */
import { isStreamingPayload, type StreamingPayload } from '../chunked/resigner.js';
import type { SigV4Scope } from './credential-scope.js';
import type { ResolvedEndpoint } from '../endpoints/resolve-endpoint.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import type { HeaderMap } from '../request/headers.js';
import type { SigningKeyCache } from './signing-key-cache.js';
import type { StreamSigningContext } from './signing-key.js';
import { canonicalS3Path, usesS3PathRules, type QueryParam } from '../request/uri.js';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ResignInput {
  readonly method: string;
  /** The path exactly as the app sent it, without the query. */
  readonly path: string;
  readonly query: string | URLSearchParams | readonly QueryParam[];
  readonly headers: HeaderMap;
  /**
   * More lowercase header names never signed or forwarded (the sidecar's credential headers, Expect), on
   * top of those the re-signer always drops: passing them here saves the caller a copy of the headers.
   */
  readonly stripHeaders?: ReadonlySet<string>;
  /** The app's signature, from parseSigV4. */
  readonly scope: SigV4Scope;
  readonly credentials: AwsCredentials;
  readonly endpoint: ResolvedEndpoint;
  /** The signing time (inject the clock). */
  readonly now: Date;
  /**
   * Hex SHA-256 of the body when the app sent no x-amz-content-sha256 header (boto3 does this for
   * non-S3 services); the caller buffers such (small) bodies to hash them. Presigned non-S3 requests
   * default to the empty-body hash.
   */
  readonly payloadSha256?: string;
  /**
   * The source's derived signing keys. Without it every request derives its key again (four more HMACs),
   * which is right only for one-off signing and tests.
   */
  readonly signingKeys?: SigningKeyCache;
}

export interface StreamingResign extends StreamSigningContext {
  readonly payload: StreamingPayload;
}

export interface ResignedRequest {
  readonly method: string;
  /** Path and query to send upstream (`/bucket/key?uploadId=...`). */
  readonly target: string;
  /** Every header to send upstream, lowercase names. */
  readonly headers: Record<string, string>;
  /** Present for aws-chunked bodies: feed it to createChunkedResigner as `signer`. */
  readonly streaming?: StreamingResign;
}

const PAYLOAD_HASH = /^[0-9a-f]{64}$/;
export const SHA256_HEADER = 'x-amz-content-sha256';
/** Left out of the signed headers when the app did not sign its payload hash (the sidecar adds it). */
export const HASH_NOT_SIGNED: ReadonlySet<string> = new Set([SHA256_HEADER]);

/** Validates x-amz-content-sha256 (or the caller's hash) and returns the value to sign with. */
export function payloadHashFor(headerValue: string | undefined, fallback: string | undefined): string {
  if (headerValue !== undefined) {
    if (PAYLOAD_HASH.test(headerValue) || headerValue === 'UNSIGNED-PAYLOAD' || isStreamingPayload(headerValue)) return headerValue;
    throw new AwsProtocolError('AWS_UNSUPPORTED_PAYLOAD_SIGNING', `x-amz-content-sha256 ${JSON.stringify(headerValue.slice(0, 64))} is not supported`);
  }
  if (fallback !== undefined && PAYLOAD_HASH.test(fallback)) return fallback;
  throw new AwsProtocolError('AWS_PAYLOAD_HASH_REQUIRED', 'No x-amz-content-sha256 header and no payload hash supplied');
}

export function outgoingPath(rawPath: string, signingName: string): string {
  return usesS3PathRules(signingName) ? canonicalS3Path(rawPath) : rawPath === '' ? '/' : rawPath;
}
