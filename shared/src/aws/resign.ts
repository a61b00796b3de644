/**
 * Re-signs an app's AWS request (signed with placeholder keys) with the real credentials, for the real
 * endpoint. Header-signed requests get a fresh Authorization; presigned URLs get fresh X-Amz-* query
 * parameters with the same deadline. The body is never read: x-amz-content-sha256 is passed through as
 * the app computed it, and aws-chunked bodies get the context `createChunkedResigner` needs.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { isStreamingPayload, type StreamingPayload } from './chunked.js';
import type { SigV4Scope } from './credential-scope.js';
import { forwardableHeaders, headersToSign } from './outgoing-headers.js';
import {
  createSigner,
  outgoingPath,
  payloadHashFor,
  signerQuery,
  SHA256_HEADER,
  type ResignedRequest,
  type ResignInput,
  type StreamingResign,
} from './resign-common.js';
import { resignPresigned } from './resign-presigned.js';
import { credentialScope, deriveSigningKey, type StreamSigningContext } from './signing-key.js';
import { serializeQuery, toQueryParams } from './uri.js';

export type { AwsCredentials, ResignedRequest, ResignInput, StreamingResign } from './resign-common.js';

/** Re-signs a request for the real endpoint with the real credentials. */
export async function resignRequest(input: ResignInput): Promise<ResignedRequest> {
  return input.scope.presigned ? resignPresigned(input) : resignHeaders(input);
}

async function resignHeaders(input: ResignInput): Promise<ResignedRequest> {
  const { endpoint, now } = input;
  const forwarded = forwardableHeaders(input.headers);
  const appSentHash = forwarded.get(SHA256_HEADER);
  const payload = payloadHashFor(appSentHash, input.payloadSha256);
  const signedNames = headersToSign(forwarded, input.scope.signedHeaders);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of signedNames) toSign[name] = forwarded.get(name) ?? '';
  // Without the header (boto3, non-S3) the hash is signed but not sent, as the app's SDK did.
  if (appSentHash === undefined) toSign[SHA256_HEADER] = payload;
  const params = toQueryParams(input.query);
  const path = outgoingPath(input.path, endpoint.signingName);
  const request = new HttpRequest({
    method: input.method,
    protocol: endpoint.url.protocol,
    hostname: endpoint.url.hostname,
    path,
    query: signerQuery(params),
    headers: toSign,
  });
  const signed = await createSigner(input).sign(request, {
    signingDate: now,
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName,
    ...(appSentHash === undefined ? { unsignableHeaders: new Set([SHA256_HEADER]) } : {}),
  });
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of forwarded) headers[name] = value;
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  if (appSentHash === undefined) delete headers[SHA256_HEADER];
  const query = serializeQuery(params);
  return {
    method: input.method,
    target: query === '' ? path : `${path}?${query}`,
    headers,
    ...(isStreamingPayload(payload) ? { streaming: streamingContext(payload, headers, input) } : {}),
  };
}

function streamingContext(payload: StreamingPayload, headers: Readonly<Record<string, string>>, input: ResignInput): StreamingResign {
  const amzDate = headers['x-amz-date'] ?? '';
  const shortDate = amzDate.slice(0, 8);
  const { signingRegion, signingName } = input.endpoint;
  const seedSignature = /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1] ?? '';
  return {
    payload,
    signingKey: deriveSigningKey(input.credentials.secretAccessKey, shortDate, signingRegion, signingName),
    amzDate,
    scope: credentialScope(shortDate, signingRegion, signingName),
    seedSignature,
  };
}

/**
 * The context that verifies the app's own chunk signatures (optional defence in depth): the placeholder
 * secret the app was given, the app's scope and its seed signature.
 */
export function appStreamContext(scope: SigV4Scope, placeholderSecretAccessKey: string): StreamSigningContext | undefined {
  if (scope.amzDate === undefined) return undefined;
  return {
    signingKey: deriveSigningKey(placeholderSecretAccessKey, scope.date, scope.region, scope.service),
    amzDate: scope.amzDate,
    scope: credentialScope(scope.date, scope.region, scope.service),
    seedSignature: scope.signature,
  };
}
