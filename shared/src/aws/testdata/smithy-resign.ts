/**
 * Test oracle: the re-signer as it was written on @smithy/signature-v4 (before the direct signer in
 * canonical-request.ts replaced it on the hot path), kept verbatim but for imports so a differential test
 * can prove that both sign every request identically.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { isStreamingPayload } from '../chunked.js';
import { forwardableHeaders, headersToSign } from '../outgoing-headers.js';
import { remainingSeconds } from '../resign-presigned.js';
import { outgoingPath, payloadHashFor, SHA256_HEADER, type ResignInput } from '../resign-common.js';
import { NodeSha256 } from '../sha256.js';
import { credentialScope, deriveSigningKey, EMPTY_SHA256 } from '../signing-key.js';
import { serializeQuery, toQueryParams, usesS3PathRules, type QueryParam } from '../uri.js';

export interface OracleResult {
  readonly method: string;
  readonly target: string;
  readonly headers: Record<string, string>;
  readonly streaming?: { readonly payload: string; readonly signingKey: Buffer; readonly amzDate: string; readonly scope: string; readonly seedSignature: string };
}

function createSigner(input: Pick<ResignInput, 'credentials' | 'endpoint'>): SignatureV4 {
  const { credentials, endpoint } = input;
  return new SignatureV4({
    credentials:
      credentials.sessionToken === undefined
        ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }
        : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    region: endpoint.signingRegion,
    service: endpoint.signingName,
    sha256: NodeSha256,
    uriEscapePath: !usesS3PathRules(endpoint.signingName),
    applyChecksum: false,
  });
}

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

async function smithyHeaders(input: ResignInput): Promise<OracleResult> {
  const { endpoint, now } = input;
  const forwarded = forwardableHeaders(input.headers);
  const appSentHash = forwarded.get(SHA256_HEADER);
  const payload = payloadHashFor(appSentHash, input.payloadSha256);
  const signedNames = headersToSign(forwarded, input.scope.signedHeaders);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of signedNames) toSign[name] = forwarded.get(name) ?? '';
  if (appSentHash === undefined) toSign[SHA256_HEADER] = payload;
  const params = toQueryParams(input.query);
  const path = outgoingPath(input.path, endpoint.signingName);
  const request = new HttpRequest({ method: input.method, protocol: endpoint.url.protocol, hostname: endpoint.url.hostname, path, query: signerQuery(params), headers: toSign });
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
  const result = { method: input.method, target: query === '' ? path : `${path}?${query}`, headers };
  if (!isStreamingPayload(payload)) return result;
  const amzDate = headers['x-amz-date'] ?? '';
  const shortDate = amzDate.slice(0, 8);
  return {
    ...result,
    streaming: {
      payload,
      signingKey: deriveSigningKey(input.credentials.secretAccessKey, shortDate, endpoint.signingRegion, endpoint.signingName),
      amzDate,
      scope: credentialScope(shortDate, endpoint.signingRegion, endpoint.signingName),
      seedSignature: /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1] ?? '',
    },
  };
}

const AUTH_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token']);
const AUTH_ORDER = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'X-Amz-Signature'];

async function smithyPresigned(input: ResignInput): Promise<OracleResult> {
  const { endpoint, scope, now } = input;
  const expiresIn = remainingSeconds(scope.amzDate ?? '', scope.expiresSeconds ?? 0, now);
  const forwarded = forwardableHeaders(input.headers);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of scope.signedHeaders) {
    const value = forwarded.get(name);
    if (value !== undefined) toSign[name] = value;
  }
  const appSentHash = forwarded.get(SHA256_HEADER);
  if (appSentHash !== undefined && isStreamingPayload(appSentHash)) throw Object.assign(new Error('streaming'), { code: 'AWS_UNSUPPORTED_PAYLOAD_SIGNING' });
  toSign[SHA256_HEADER] = usesS3PathRules(endpoint.signingName) ? 'UNSIGNED-PAYLOAD' : (input.payloadSha256 ?? EMPTY_SHA256);
  const params: QueryParam[] = toQueryParams(input.query).filter((p) => !AUTH_PARAMS.has(p.name));
  const path = outgoingPath(input.path, endpoint.signingName);
  const request = new HttpRequest({ method: input.method, protocol: endpoint.url.protocol, hostname: endpoint.url.hostname, path, query: signerQuery(params), headers: toSign });
  const signed = await createSigner(input).presign(request, {
    signingDate: now,
    expiresIn,
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName,
    unhoistableHeaders: new Set(Object.keys(toSign)),
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

/** What the smithy-based re-signer returned for `input`. */
export function smithyResign(input: ResignInput): Promise<OracleResult> {
  return input.scope.presigned ? smithyPresigned(input) : smithyHeaders(input);
}
