/**
 * SigV4 key derivation and the streaming (aws-chunked) string-to-sign formats.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
import { createHmac, hash, type KeyObject } from 'node:crypto';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';

/**
 * A derived signing key. Prefer a KeyObject (SigningKeyCache makes them): on Node 24 `createHmac` with a
 * KeyObject costs ~2.5 µs, with raw bytes ~15 µs, and aws-chunked bodies make one HMAC per chunk.
 */
export type SigningKey = KeyObject | Uint8Array;

/** What a chunk signer needs: the derived key, the request's X-Amz-Date and its credential scope. */
export interface StreamSigningContext {
  readonly signingKey: SigningKey;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
  /** `YYYYMMDD/<region>/<service>/aws4_request`. */
  readonly scope: string;
  /** The signature of the request headers, which seeds the chunk-signature chain. */
  readonly seedSignature: string;
}

/** Hex SHA-256 (strings as UTF-8); the one-shot `crypto.hash` costs half of createHash().update().digest(). */
export function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}

export function hmacHex(key: SigningKey, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  let key: Buffer = createHmac('sha256', `AWS4${secretAccessKey}`).update(shortDate, 'utf8').digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key;
}

export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/aws4_request`;
}

/** Signature of one chunk, chained on the previous chunk's (or the seed) signature. */
export function chunkSignature(ctx: Omit<StreamSigningContext, 'seedSignature'>, previousSignature: string, chunkSha256: string): string {
  return hmacHex(ctx.signingKey, `${CHUNK_ALGORITHM}\n${ctx.amzDate}\n${ctx.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256}`);
}

/** Signature of the trailing headers, chained on the final (zero-length) chunk's signature. */
export function trailerSignature(ctx: Omit<StreamSigningContext, 'seedSignature'>, previousSignature: string, trailerSha256: string): string {
  return hmacHex(ctx.signingKey, `${TRAILER_ALGORITHM}\n${ctx.amzDate}\n${ctx.scope}\n${previousSignature}\n${trailerSha256}`);
}
