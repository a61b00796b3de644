import { AwsProtocolError } from './protocol-error.js';

/**
 * AWS_PRESIGNED_URL_EXPIRED with the two instants S3 puts in its own answer (`<Expires>`, `<ServerTime>`),
 * so the sidecar can refuse an expired URL the way S3 does.
 */
export class PresignedUrlExpiredError extends AwsProtocolError {
  override readonly name: string = 'PresignedUrlExpiredError';

  constructor(
    readonly expiredAt: Date,
    readonly serverTime: Date,
  ) {
    super('AWS_PRESIGNED_URL_EXPIRED', `Presigned URL expired at ${isoSeconds(expiredAt)} (now ${isoSeconds(serverTime)})`);
  }
}

/** `2026-12-07T04:10:00Z`: S3's format for these instants (no milliseconds); `invalid` for a bad date. */
export function isoSeconds(d: Date): string {
  return Number.isFinite(d.getTime()) ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : 'invalid';
}
