// Property: the one-pass header re-signer (resign.ts) sends exactly what the step-by-step form sent —
// forwardableHeaders → headersToSign → canonicalHeaders, as it was written before (kept below as the
// reference) — the same headers in the same order, target and signature, over random header sets with
// credential, hop-by-hop, Connection-listed, proxy-/sec-, never-signed, repeated and mixed-case names.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz } from '@portcullis/shared/testing/fuzz';
import { amzDateOf, canonicalHeaders, canonicalRequest, signCanonicalRequest, signingQuery, signingUri } from './canonical-request.js';
import { isStreamingPayload } from '../chunked/resigner.js';
import { parseSigV4, SIGV4_ALGORITHM } from './credential-scope.js';
import { resolveEndpoint } from '../endpoints/resolve-endpoint.js';
import { forwardableHeaders, headersToSign } from './outgoing-headers.js';
import { resignRequest } from './resign.js';
import { HASH_NOT_SIGNED, outgoingPath, payloadHashFor, SHA256_HEADER, type ResignedRequest, type ResignInput } from './resign-common.js';
import { SigningKeyCache, signingKeyOf } from './signing-key-cache.js';
import { credentialScope } from './signing-key.js';
import { serializeQuery, toQueryParams } from '../request/uri.js';

/** resignHeaders before the one-pass rewrite, verbatim but for the strip set it now also takes. */
function reference(input: ResignInput): ResignedRequest {
  const { endpoint, credentials } = input;
  const { signingName, signingRegion } = endpoint;
  const forwarded = forwardableHeaders(input.headers, input.stripHeaders);
  const appSentHash = forwarded.get(SHA256_HEADER);
  const payload = payloadHashFor(appSentHash, input.payloadSha256);
  const amzDate = amzDateOf(input.now);
  const shortDate = amzDate.slice(0, 8);
  const toSign: Record<string, string> = { host: endpoint.url.host };
  for (const name of headersToSign(forwarded, input.scope.signedHeaders)) toSign[name] = forwarded.get(name) ?? '';
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

const NAMES = [
  'content-type', 'content-length', 'x-amz-target', 'x-amz-content-sha256', 'x-amz-meta-a', 'X-Amz-Meta-A', 'x-amz-date', 'x-amz-security-token',
  'host', 'Host', 'authorization', 'cookie', 'x-api-key', 'expect', 'connection', 'keep-alive', 'te', 'upgrade', 'user-agent', 'date', 'range',
  'proxy-foo', 'sec-fetch-mode', 'x-custom', 'X-Custom', 'cache-control', 'transfer-encoding', ':authority', '123', 'amz-sdk-request',
];
const value = fc.oneof(fc.constantFrom('a', ' spaced  out ', 'x-custom', 'x-custom, range', 'close', '1'.repeat(64), 'UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'line\nbreak'), fc.string({ maxLength: 8 }));
const headerValue = fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }));
const input = fc.record({
  headers: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), headerValue), { selector: (t) => t[0], maxLength: 10 }),
  signed: fc.subarray(['content-type', 'content-length', 'x-custom', 'range', 'user-agent', 'x-amz-content-sha256', 'sec-fetch-mode', 'date', '123', 'amz-sdk-request']),
  strip: fc.boolean(),
  token: fc.boolean(),
  service: fc.constantFrom('dynamodb', 's3', 'sqs'),
  query: fc.constantFrom('', 'a=1&b=2', 'uploads', 'X-Amz-Signature=x&z=%20'),
  path: fc.constantFrom('/', '', '/bucket/key with space', '/a/../b'),
  payloadSha256: fc.constantFrom(undefined, 'b'.repeat(64)),
  second: fc.integer({ min: 0, max: 86_400 * 3 }),
});

describe('resignRequest (header-signed) in one pass', () => {
  it('sends the same headers, in the same order, target and signature as the step-by-step form', () => {
    const keys = new SigningKeyCache();
    fuzz(
      'sigv4-resign-one-pass',
      input,
      (c) => {
        const headers: Record<string, string | string[]> = {};
        for (const [name, v] of c.headers) headers[name] = v;
        const authorization = `AWS4-HMAC-SHA256 Credential=placeholder/20260101/us-east-1/${c.service}/aws4_request, SignedHeaders=${['host', ...c.signed].join(';')}, Signature=${'0'.repeat(64)}`;
        const scope = parseSigV4({ headers: { authorization }, query: '' });
        if (scope === undefined) throw new Error('unsigned');
        const resignInput: ResignInput = {
          method: 'POST',
          path: c.path,
          query: c.query,
          headers,
          ...(c.strip ? { stripHeaders: new Set(['cookie', 'x-api-key', 'expect']) } : {}),
          scope,
          credentials: { accessKeyId: 'AKIAREAL', secretAccessKey: 'real-secret', ...(c.token ? { sessionToken: 'session-token' } : {}) },
          endpoint: resolveEndpoint({ service: c.service, region: 'eu-west-1' }),
          now: new Date(Date.UTC(2026, 0, 1) + c.second * 1000),
          signingKeys: keys,
          ...(c.payloadSha256 === undefined ? {} : { payloadSha256: c.payloadSha256 }),
        };
        let expected: ResignedRequest | string;
        try {
          expected = reference(resignInput);
        } catch (err) {
          expected = `${(err as { code?: string }).code}: ${(err as Error).message}`;
        }
        let actual: ResignedRequest | string;
        try {
          actual = resignRequest(resignInput);
        } catch (err) {
          actual = `${(err as { code?: string }).code}: ${(err as Error).message}`;
        }
        if (typeof expected === 'string' || typeof actual === 'string') {
          expect(actual).toEqual(expected);
          return;
        }
        expect(Object.entries(actual.headers)).toEqual(Object.entries(expected.headers));
        expect(actual.target).toBe(expected.target);
        expect(actual.streaming?.seedSignature).toBe(expected.streaming?.seedSignature);
      },
      { runs: 3000 },
    );
  });
});
