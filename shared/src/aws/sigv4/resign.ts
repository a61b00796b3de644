/**
 * Re-signs an app's AWS request (signed with placeholder keys) with the real credentials, for the real
 * endpoint. Header-signed requests get a fresh Authorization; presigned URLs get fresh X-Amz-* query
 * parameters with the same deadline. The body is never read: x-amz-content-sha256 is passed through as
 * the app computed it, and aws-chunked bodies get the context `createChunkedResigner` needs.
 */
import { amzDateOf, canonicalRequest, canonicalValue, isSignable, signCanonicalRequest, signingQuery, signingUri, type CanonicalHeaders } from './canonical-request.js';
import { isStreamingPayload } from '../chunked/resigner.js';
import { SIGV4_ALGORITHM, type SigV4Scope } from './credential-scope.js';
import { forwardableRecord } from './outgoing-headers.js';
import { outgoingPath, payloadHashFor, SHA256_HEADER, type ResignedRequest, type ResignInput } from './resign-common.js';
import { resignPresigned } from './resign-presigned.js';
import { signingKeyOf } from './signing-key-cache.js';
import { credentialScope, type StreamSigningContext } from './signing-key.js';
import { serializeQuery, toQueryParams } from '../request/uri.js';

export type { AwsCredentials, ResignedRequest, ResignInput, StreamingResign } from './resign-common.js';


/** Re-signs a request for the real endpoint with the real credentials. */
export function resignRequest(input: ResignInput): ResignedRequest {
  return input.scope.presigned ? resignPresigned(input) : resignHeaders(input);
}

/**
 * The signed headers and their canonical block: the re-signer's own headers (`added`, no prototype), and
 * of the app's forwarded ones every x-amz-* header and those the app signed, less the never-signable.
 */
function signedHeadersOf(forwarded: Readonly<Record<string, string>>, appSigned: readonly string[], added: Readonly<Record<string, string>>): CanonicalHeaders {
  const names = Object.keys(added);
  for (const name in forwarded) {
    if ((name.startsWith('x-amz-') || appSigned.includes(name)) && isSignable(name)) names.push(name);
  }
  names.sort();
  let block = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    block += `${i === 0 ? '' : '\n'}${name}:${canonicalValue(added[name] ?? forwarded[name] ?? '')}`;
  }
  return { signedHeaders: names.join(';'), block };
}

/**
 * Header-signed requests, in one pass over the app's headers: the headers to send are built once (the
 * app's, minus what is dropped, plus Host, X-Amz-Date, the session token and the new Authorization) and
 * the names to sign are picked on the way; nothing is copied twice (bench/ANALYSIS.md, "SigV4 in one
 * pass"). The result equals the step-by-step form — forwardableHeaders, headersToSign, canonicalHeaders —
 * which a property test checks (resign.property.test.ts).
 */
function resignHeaders(input: ResignInput): ResignedRequest {
  const { endpoint, credentials } = input;
  const { signingName, signingRegion } = endpoint;
  const headers = forwardableRecord(input.headers, input.stripHeaders);
  const appSentHash = headers[SHA256_HEADER];
  const payload = payloadHashFor(appSentHash, input.payloadSha256);
  const amzDate = amzDateOf(input.now);
  const shortDate = amzDate.slice(0, 8);
  const host = endpoint.url.host;
  const token = credentials.sessionToken;
  // Signed: what the app signed and still sends, every x-amz-* header (S3 rejects unsigned ones), Host,
  // X-Amz-Date, the session token, and the payload hash when the app sent it (without it — boto3,
  // non-S3 — the hash is signed over but stays out of SignedHeaders and is not sent, as the app's SDK did).
  const added = Object.create(null) as Record<string, string>;
  added.host = host;
  added['x-amz-date'] = amzDate;
  if (token) added['x-amz-security-token'] = token;
  const signedHeaders = signedHeadersOf(headers, input.scope.signedHeaders, added);
  const params = toQueryParams(input.query);
  const path = outgoingPath(input.path, signingName);
  const scope = credentialScope(shortDate, signingRegion, signingName);
  const key = signingKeyOf(input.signingKeys, credentials.secretAccessKey, shortDate, signingRegion, signingName);
  const canonical = canonicalRequest({ method: input.method, uri: signingUri(path, signingName), query: signingQuery(params), headers: signedHeaders, payloadHash: payload });
  const signature = signCanonicalRequest(key, amzDate, scope, canonical);
  headers.host = host;
  headers['x-amz-date'] = amzDate;
  if (token) headers['x-amz-security-token'] = token;
  headers.authorization = `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.signedHeaders}, Signature=${signature}`;
  const query = params.length === 0 ? '' : serializeQuery(params);
  return {
    method: input.method,
    target: query === '' ? path : `${path}?${query}`,
    headers,
    ...(isStreamingPayload(payload) ? { streaming: { payload, signingKey: key, amzDate, scope, seedSignature: signature } } : {}),
  };
}

/**
 * The context that verifies the app's own chunk signatures (optional defence in depth): the placeholder
 * secret the app was given, the app's scope and its seed signature.
 */
export function appStreamContext(scope: SigV4Scope, placeholderSecretAccessKey: string): StreamSigningContext | undefined {
  if (scope.amzDate === undefined) return undefined;
  return {
    signingKey: signingKeyOf(undefined, placeholderSecretAccessKey, scope.date, scope.region, scope.service),
    amzDate: scope.amzDate,
    scope: credentialScope(scope.date, scope.region, scope.service),
    seedSignature: scope.signature,
  };
}
