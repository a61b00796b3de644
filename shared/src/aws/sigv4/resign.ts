/**
 * Re-signs an app's AWS request (signed with placeholder keys) with the real credentials, for the real
 * endpoint. Header-signed requests get a fresh Authorization; presigned URLs get fresh X-Amz-* query
 * parameters with the same deadline. The body is never read: x-amz-content-sha256 is passed through as
 * the app computed it, and aws-chunked bodies get the context `createChunkedResigner` needs.
 */
import { amzDateOf, canonicalHeaders, canonicalRequest, signCanonicalRequest, signingQuery, signingUri } from './canonical-request.js';
import { isStreamingPayload } from '../chunked/resigner.js';
import { SIGV4_ALGORITHM, type SigV4Scope } from './credential-scope.js';
import { forwardableHeaders, headersToSign } from './outgoing-headers.js';
import { HASH_NOT_SIGNED, outgoingPath, payloadHashFor, SHA256_HEADER, type ResignedRequest, type ResignInput } from './resign-common.js';
import { resignPresigned } from './resign-presigned.js';
import { signingKeyOf } from './signing-key-cache.js';
import { credentialScope, type StreamSigningContext } from './signing-key.js';
import { serializeQuery, toQueryParams } from '../request/uri.js';

export type { AwsCredentials, ResignedRequest, ResignInput, StreamingResign } from './resign-common.js';


/** Re-signs a request for the real endpoint with the real credentials. */
export function resignRequest(input: ResignInput): ResignedRequest {
  return input.scope.presigned ? resignPresigned(input) : resignHeaders(input);
}

function resignHeaders(input: ResignInput): ResignedRequest {
  const { endpoint, credentials } = input;
  const { signingName, signingRegion } = endpoint;
  const forwarded = forwardableHeaders(input.headers);
  const appSentHash = forwarded.get(SHA256_HEADER);
  const payload = payloadHashFor(appSentHash, input.payloadSha256);
  const amzDate = amzDateOf(input.now);
  const shortDate = amzDate.slice(0, 8);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of headersToSign(forwarded, input.scope.signedHeaders)) toSign[name] = forwarded.get(name) ?? '';
  // The payload hash is always signed; without the header (boto3, non-S3) it stays out of SignedHeaders
  // and is not sent, as the app's SDK did.
  toSign[SHA256_HEADER] = payload;
  toSign['x-amz-date'] = amzDate;
  if (credentials.sessionToken) toSign['x-amz-security-token'] = credentials.sessionToken;
  const signedHeaders = canonicalHeaders(toSign, appSentHash === undefined ? HASH_NOT_SIGNED : undefined);
  const params = toQueryParams(input.query);
  const path = outgoingPath(input.path, signingName);
  const scope = credentialScope(shortDate, signingRegion, signingName);
  const key = signingKeyOf(input.signingKeys, credentials.secretAccessKey, shortDate, signingRegion, signingName);
  const canonical = canonicalRequest({ method: input.method, uri: signingUri(path, signingName), query: signingQuery(params), headers: signedHeaders, payloadHash: payload });
  const signature = signCanonicalRequest(key, amzDate, scope, canonical);
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of forwarded) headers[name] = value;
  for (const name of Object.keys(toSign)) headers[name] = toSign[name] as string;
  headers.authorization = `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.signedHeaders}, Signature=${signature}`;
  if (appSentHash === undefined) delete headers[SHA256_HEADER];
  const query = serializeQuery(params);
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
