/**
 * Re-signs a presigned URL the app generated with placeholder keys (and then called through Portcullis):
 * the X-Amz-* signing parameters are replaced by ones made with the real key, for the same deadline
 * (the app's X-Amz-Date + X-Amz-Expires), signing the same headers the app's URL covered.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { isStreamingPayload } from './chunked.js';
import { AwsProtocolError } from './errors.js';
import { forwardableHeaders } from './outgoing-headers.js';
import { createSigner, outgoingPath, signerQuery, SHA256_HEADER, type ResignedRequest, type ResignInput } from './resign-common.js';
import { EMPTY_SHA256 } from './signing-key.js';
import { serializeQuery, toQueryParams, usesS3PathRules, type QueryParam } from './uri.js';

const AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);
const AUTH_ORDER = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'X-Amz-Signature'];

/** `YYYYMMDDTHHMMSSZ` → epoch milliseconds. */
export function amzDateToMs(amzDate: string): number {
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
  return Date.parse(iso);
}

/** Seconds left before the app's URL expires, capped at the app's own X-Amz-Expires. */
export function remainingSeconds(amzDate: string, expiresSeconds: number, now: Date): number {
  const deadlineMs = amzDateToMs(amzDate) + expiresSeconds * 1000;
  const left = Math.floor((deadlineMs - now.getTime()) / 1000);
  if (!Number.isFinite(left) || left < 1) {
    throw new AwsProtocolError('AWS_PRESIGNED_URL_EXPIRED', `Presigned URL expired at ${new Date(deadlineMs).toISOString()}`);
  }
  return Math.min(left, expiresSeconds);
}

function payloadFor(input: ResignInput, sent: string | undefined): string {
  if (sent !== undefined && isStreamingPayload(sent)) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_PAYLOAD_SIGNING', 'aws-chunked bodies cannot be sent with a presigned URL');
  }
  // S3 query-string auth always signs UNSIGNED-PAYLOAD; other services sign the body hash.
  if (usesS3PathRules(input.endpoint.signingName)) return 'UNSIGNED-PAYLOAD';
  return input.payloadSha256 ?? EMPTY_SHA256;
}

export async function resignPresigned(input: ResignInput): Promise<ResignedRequest> {
  const { endpoint, scope, now } = input;
  const expiresIn = remainingSeconds(scope.amzDate ?? '', scope.expiresSeconds ?? 0, now);
  const forwarded = forwardableHeaders(input.headers);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of scope.signedHeaders) {
    const value = forwarded.get(name);
    if (value !== undefined) toSign[name] = value;
  }
  const appSentHash = forwarded.get(SHA256_HEADER);
  toSign[SHA256_HEADER] = payloadFor(input, appSentHash);
  const params: QueryParam[] = toQueryParams(input.query).filter((p) => !AUTH_PARAMS.has(p.name));
  const path = outgoingPath(input.path, endpoint.signingName);
  const request = new HttpRequest({
    method: input.method,
    protocol: endpoint.url.protocol,
    hostname: endpoint.url.hostname,
    path,
    query: signerQuery(params),
    headers: toSign,
  });
  const unhoistable = new Set(Object.keys(toSign));
  const signed = await createSigner(input).presign(request, {
    signingDate: now,
    expiresIn,
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName,
    unhoistableHeaders: unhoistable,
    // The payload hash goes into the signature but not into the signed-header list, unless the app signed it.
    ...(scope.signedHeaders.includes(SHA256_HEADER) ? {} : { unsignableHeaders: new Set([SHA256_HEADER]) }),
  });
  const auth: QueryParam[] = [];
  for (const name of AUTH_ORDER) {
    const value = signed.query?.[name];
    if (typeof value === 'string') auth.push({ name, value, hasEquals: true });
  }
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of forwarded) headers[name] = value;
  headers.host = endpoint.url.host;
  if (appSentHash === undefined) delete headers[SHA256_HEADER];
  return { method: input.method, target: `${path}?${serializeQuery([...params, ...auth])}`, headers };
}
