/**
 * Test oracle for the direct SigV4 re-signer: the same re-signing computed with @smithy/signature-v4 (what
 * the AWS SDK for JavaScript signs with) and the oracle's own helpers (oracle-*.ts), written from the AWS
 * documentation. It imports nothing from shared/src/aws but types, so a bug in a helper of the re-signer
 * (which headers go upstream, the payload hash, the path or query encoding, the presigned deadline, the
 * scope or the signing key) makes the differential test in canonical-request.test.ts fail.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { createScope, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { ResignInput } from '../sigv4/resign-common.js';
import type { QueryParam } from '../request/uri.js';
import { oracleError } from './oracle-error.js';
import { reSignedNames, upstreamHeaders } from './oracle-headers.js';
import { hasS3UriRules, isStreamingMode, PAYLOAD_HASH_HEADER, payloadHashToSign, presignedSecondsLeft } from './oracle-rules.js';
import { EMPTY_BODY_SHA256, OracleSha256 } from './oracle-sha256.js';
import { appQueryParams, s3WirePath, wireQuery } from './oracle-uri.js';

export interface OracleResult {
  readonly method: string;
  readonly target: string;
  readonly headers: Record<string, string>;
  readonly streaming?: { readonly payload: string; readonly signingKey: Buffer; readonly amzDate: string; readonly scope: string; readonly seedSignature: string };
}

type Credentials = ResignInput['credentials'];

/** smithy's credential shape: a session token only when there is one (exactOptionalPropertyTypes). */
function smithyCredentials({ accessKeyId, secretAccessKey, sessionToken }: Credentials): Credentials {
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

function createSigner({ credentials, endpoint }: Pick<ResignInput, 'credentials' | 'endpoint'>): SignatureV4 {
  return new SignatureV4({
    credentials: smithyCredentials(credentials),
    region: endpoint.signingRegion,
    service: endpoint.signingName,
    sha256: OracleSha256,
    // AWS rule: S3 paths are signed as sent (encoded once, not normalized); every other service's path
    // is normalized and encoded a second time, which smithy does when uriEscapePath is true.
    uriEscapePath: !hasS3UriRules(endpoint.signingName),
    // The proxy has no body to hash: the payload hash is passed in as x-amz-content-sha256.
    applyChecksum: false,
  });
}

/** The path sent upstream: S3's canonical single-encoded form; other services' wire path unchanged ('' is '/'). */
function upstreamPath(rawPath: string, signingName: string): string {
  if (hasS3UriRules(signingName)) return s3WirePath(rawPath);
  return rawPath === '' ? '/' : rawPath;
}

/** smithy's query shape: a repeated name holds its values in order. */
function signerQuery(params: readonly QueryParam[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const { name, value } of params) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (typeof existing === 'string') out[name] = [existing, value];
    else existing.push(value);
  }
  return out;
}

function signerRequest(input: ResignInput, path: string, params: readonly QueryParam[], headers: Record<string, string>): HttpRequest {
  const { url } = input.endpoint;
  return new HttpRequest({ method: input.method, protocol: url.protocol, hostname: url.hostname, path, query: signerQuery(params), headers });
}

async function streamingContext(input: ResignInput, payload: string, headers: Readonly<Record<string, string>>): Promise<NonNullable<OracleResult['streaming']>> {
  const { signingRegion, signingName } = input.endpoint;
  const amzDate = headers['x-amz-date'] ?? '';
  const shortDate = amzDate.slice(0, 8);
  const key = await getSigningKey(OracleSha256, smithyCredentials(input.credentials), shortDate, signingRegion, signingName);
  return {
    payload,
    signingKey: Buffer.from(key),
    amzDate,
    scope: createScope(shortDate, signingRegion, signingName),
    seedSignature: /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1] ?? '',
  };
}

async function smithyHeaders(input: ResignInput): Promise<OracleResult> {
  const { endpoint, now } = input;
  const upstream = upstreamHeaders(input.headers);
  const appSentHash = upstream.get(PAYLOAD_HASH_HEADER);
  const payload = payloadHashToSign(appSentHash, input.payloadSha256);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of reSignedNames(upstream, input.scope.signedHeaders)) toSign[name] = upstream.get(name) ?? '';
  // Without the header (boto3 for non-S3 services) the body hash is still what is signed, but it is left
  // out of SignedHeaders and not sent, as the app's SDK did.
  if (appSentHash === undefined) toSign[PAYLOAD_HASH_HEADER] = payload;
  const params = appQueryParams(input.query);
  const path = upstreamPath(input.path, endpoint.signingName);
  const signed = await createSigner(input).sign(signerRequest(input, path, params, toSign), {
    signingDate: now,
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName,
    ...(appSentHash === undefined ? { unsignableHeaders: new Set([PAYLOAD_HASH_HEADER]) } : {}),
  });
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of upstream) headers[name] = value;
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  if (appSentHash === undefined) delete headers[PAYLOAD_HASH_HEADER];
  const query = wireQuery(params);
  const result = { method: input.method, target: query === '' ? path : `${path}?${query}`, headers };
  return isStreamingMode(payload) ? { ...result, streaming: await streamingContext(input, payload, headers) } : result;
}

/** The app's own query-signing parameters (exact names, as SDK presigners write them): replaced, not forwarded. */
const AUTH_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']);
/** The order SDK presigners write them in, the signature last. */
const AUTH_ORDER = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'X-Amz-Signature'];

/**
 * AWS rule (S3 "Authenticating requests: using query parameters"): an S3 presigned URL signs
 * UNSIGNED-PAYLOAD; other services sign the body hash (the empty body's when there is none). aws-chunked
 * bodies need header auth: their chunk signatures chain on the Authorization header's signature.
 */
function presignedPayload(input: ResignInput, appSentHash: string | undefined): string {
  if (isStreamingMode(appSentHash)) throw oracleError('AWS_UNSUPPORTED_PAYLOAD_SIGNING', 'aws-chunked with a presigned URL');
  return hasS3UriRules(input.endpoint.signingName) ? 'UNSIGNED-PAYLOAD' : (input.payloadSha256 ?? EMPTY_BODY_SHA256);
}

async function smithyPresigned(input: ResignInput): Promise<OracleResult> {
  const { endpoint, scope, now } = input;
  const expiresIn = presignedSecondsLeft(scope.amzDate ?? '', scope.expiresSeconds ?? 0, now);
  const upstream = upstreamHeaders(input.headers);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of scope.signedHeaders) {
    const value = upstream.get(name);
    if (value !== undefined) toSign[name] = value;
  }
  const appSentHash = upstream.get(PAYLOAD_HASH_HEADER);
  toSign[PAYLOAD_HASH_HEADER] = presignedPayload(input, appSentHash);
  const params = appQueryParams(input.query).filter((p) => !AUTH_PARAMS.has(p.name));
  const path = upstreamPath(input.path, endpoint.signingName);
  const signed = await createSigner(input).presign(signerRequest(input, path, params, toSign), {
    signingDate: now,
    expiresIn,
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName,
    // The signed headers stay headers (the app's URL covered them as headers), none is hoisted to the query.
    unhoistableHeaders: new Set(Object.keys(toSign)),
    // The payload hash is signed but listed in X-Amz-SignedHeaders only when the app's URL listed it.
    ...(scope.signedHeaders.includes(PAYLOAD_HASH_HEADER) ? {} : { unsignableHeaders: new Set([PAYLOAD_HASH_HEADER]) }),
  });
  const auth: QueryParam[] = [];
  for (const name of AUTH_ORDER) {
    const value = signed.query?.[name];
    if (typeof value === 'string') auth.push({ name, value, hasEquals: true });
  }
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of upstream) headers[name] = value;
  headers.host = endpoint.url.host;
  return { method: input.method, target: `${path}?${wireQuery([...params, ...auth])}`, headers };
}

/** What re-signing `input` must produce, computed with smithy and the oracle's own helpers. */
export function smithyResign(input: ResignInput): Promise<OracleResult> {
  return input.scope.presigned ? smithyPresigned(input) : smithyHeaders(input);
}
