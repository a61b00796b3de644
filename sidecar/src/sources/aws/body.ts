import type { IncomingMessage } from 'node:http';
import {
  amzJsonVersion,
  AwsProtocolError,
  headerValue,
  isFormContentType,
  MAX_DELETE_OBJECTS_BODY_BYTES,
  parseQuery,
  PortcullisError,
  type HeaderMap,
} from '@portcullis/shared';
import { readCappedBody } from '../../http/read-capped-body.js';

/** The largest non-S3 body the sidecar reads before forwarding (form bodies, bodies without a payload hash). */
export const MAX_BUFFERED_BODY_BYTES = 8 * 1024 * 1024;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Whether classify must (or may) read the body first, and how much of it at most. */
export type BodyPlan =
  | { readonly read: false }
  | { readonly read: true; readonly maxBytes: number; readonly tooLarge: 'AWS_BODY_TOO_LARGE' | 'AWS_MALFORMED_BODY' };

function contentLength(headers: HeaderMap): number | undefined {
  const raw = headerValue(headers, 'content-length');
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Object data is never buffered. Read first, within a bound:
 * - S3 DeleteObjects (`POST ?delete`, hex payload hash): the keys, so each can be authorized;
 * - other services' form bodies (query protocols: the Action is in the body) and bodies sent without
 *   x-amz-content-sha256 (boto3 for non-S3 services: the sidecar must hash what it signs);
 * - other JSON bodies of a known, bounded length, for the resources they name (streamed otherwise).
 */
export function bodyPlan(s3: boolean, method: string, rawQuery: string, headers: HeaderMap): BodyPlan {
  const hash = headerValue(headers, 'x-amz-content-sha256');
  if (s3) {
    const deleteObjects = method === 'POST' && parseQuery(rawQuery).some((p) => p.name === 'delete');
    return deleteObjects && hash !== undefined && HEX_SHA256.test(hash)
      ? { read: true, maxBytes: MAX_DELETE_OBJECTS_BODY_BYTES, tooLarge: 'AWS_MALFORMED_BODY' }
      : { read: false };
  }
  const contentType = headerValue(headers, 'content-type');
  if (isFormContentType(contentType) || hash === undefined) return { read: true, maxBytes: MAX_BUFFERED_BODY_BYTES, tooLarge: 'AWS_BODY_TOO_LARGE' };
  const json = amzJsonVersion(contentType) !== undefined || headerValue(headers, 'x-amz-target') !== undefined;
  const length = contentLength(headers);
  if (json && length !== undefined && length <= MAX_BUFFERED_BODY_BYTES) return { read: true, maxBytes: MAX_BUFFERED_BODY_BYTES, tooLarge: 'AWS_BODY_TOO_LARGE' };
  return { read: false };
}

function tooLarge(code: 'AWS_BODY_TOO_LARGE' | 'AWS_MALFORMED_BODY', maxBytes: number): Error {
  const message = `the request body is larger than the ${maxBytes} bytes the sidecar reads to authorize or sign this kind of call`;
  return code === 'AWS_BODY_TOO_LARGE' ? new PortcullisError(code, `Portcullis: ${message}; send large data through S3`) : new AwsProtocolError(code, message);
}

/** Reads the whole body, refusing more than `maxBytes` (by Content-Length up front, else as it arrives). */
export function readBody(req: IncomingMessage, plan: Extract<BodyPlan, { read: true }>): Promise<Buffer> {
  return readCappedBody(req, plan.maxBytes, () => tooLarge(plan.tooLarge, plan.maxBytes));
}
