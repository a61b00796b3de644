/**
 * Re-signs a presigned URL the app generated with placeholder keys (and then called through Portcullis):
 * the X-Amz-* signing parameters are replaced by ones made with the real key, for the same deadline
 * (the app's X-Amz-Date + X-Amz-Expires), signing the same headers the app's URL covered.
 */
import { amzDateOf, canonicalHeaders, canonicalRequest, signCanonicalRequest, signingQuery, signingUri } from './canonical-request.js';
import { isStreamingPayload } from '../chunked/resigner.js';
import { SIGV4_ALGORITHM } from './credential-scope.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { PresignedUrlExpiredError } from '../errors/presigned-expired.js';
import { forwardableHeaders } from './outgoing-headers.js';
import { HASH_NOT_SIGNED, outgoingPath, SHA256_HEADER, type ResignedRequest, type ResignInput } from './resign-common.js';
import { signingKeyOf } from './signing-key-cache.js';
import { credentialScope, EMPTY_SHA256 } from './signing-key.js';
import { serializeQuery, toQueryParams, usesS3PathRules, type QueryParam } from '../request/uri.js';

const AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

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
    throw new PresignedUrlExpiredError(new Date(deadlineMs), now);
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

export function resignPresigned(input: ResignInput): ResignedRequest {
  const { endpoint, scope, credentials } = input;
  const { signingName, signingRegion } = endpoint;
  const expiresIn = remainingSeconds(scope.amzDate ?? '', scope.expiresSeconds ?? 0, input.now);
  const forwarded = forwardableHeaders(input.headers, input.stripHeaders);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of scope.signedHeaders) {
    const value = forwarded.get(name);
    if (value !== undefined) toSign[name] = value;
  }
  const appSentHash = forwarded.get(SHA256_HEADER);
  const payload = payloadFor(input, appSentHash);
  toSign[SHA256_HEADER] = payload;
  // The payload hash goes into the signature but not into the signed-header list, unless the app signed it.
  const signedHeaders = canonicalHeaders(toSign, scope.signedHeaders.includes(SHA256_HEADER) ? undefined : HASH_NOT_SIGNED);
  const amzDate = amzDateOf(input.now);
  const shortDate = amzDate.slice(0, 8);
  const credential = credentialScope(shortDate, signingRegion, signingName);
  // In the order SDK presigners write them; the signature last.
  const auth: QueryParam[] = [
    { name: 'X-Amz-Algorithm', value: SIGV4_ALGORITHM, hasEquals: true },
    { name: 'X-Amz-Credential', value: `${credentials.accessKeyId}/${credential}`, hasEquals: true },
    { name: 'X-Amz-Date', value: amzDate, hasEquals: true },
    { name: 'X-Amz-Expires', value: String(expiresIn), hasEquals: true },
    { name: 'X-Amz-SignedHeaders', value: signedHeaders.signedHeaders, hasEquals: true },
  ];
  if (credentials.sessionToken) auth.push({ name: 'X-Amz-Security-Token', value: credentials.sessionToken, hasEquals: true });
  const params: QueryParam[] = toQueryParams(input.query).filter((p) => !AUTH_PARAMS.has(p.name));
  const path = outgoingPath(input.path, signingName);
  const key = signingKeyOf(input.signingKeys, credentials.secretAccessKey, shortDate, signingRegion, signingName);
  const canonical = canonicalRequest({ method: input.method, uri: signingUri(path, signingName), query: signingQuery([...params, ...auth]), headers: signedHeaders, payloadHash: payload });
  auth.push({ name: 'X-Amz-Signature', value: signCanonicalRequest(key, amzDate, credential, canonical), hasEquals: true });
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of forwarded) headers[name] = value;
  headers.host = endpoint.url.host;
  if (appSentHash === undefined) delete headers[SHA256_HEADER];
  return { method: input.method, target: `${path}?${serializeQuery([...params, ...auth])}`, headers };
}
