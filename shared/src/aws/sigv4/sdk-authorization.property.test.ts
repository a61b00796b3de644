// Property: the fast path for Authorization headers in the form SDKs write (and its cache of checked
// Credential/SignedHeaders texts) gives exactly what the general parser gives — the same scope, or the
// same refusal with the same message — for well-formed headers and for headers with noise spliced in.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz } from '@portcullis/shared/testing/fuzz';
import { MAX_CHECKED_SCOPES, parseSigV4 } from './credential-scope.js';

type Outcome = { ok: unknown } | { refused: string };

function outcome(authorization: string, amzDate: string | undefined): Outcome {
  try {
    return { ok: parseSigV4({ headers: { authorization, ...(amzDate === undefined ? {} : { 'x-amz-date': amzDate }) }, query: '' }) };
  } catch (err) {
    return { refused: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
}

/** The same header through the general parser: a second space after the algorithm leaves the fast path. */
function general(authorization: string): string {
  return authorization.replace(/^AWS4-HMAC-SHA256 /, 'AWS4-HMAC-SHA256  ');
}

const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
const junk = fc.oneof(fc.constantFrom('', '=', '/', ';', ';;', 'HOST', 'host', '2026', 'aws4_request', 'x', '1'.repeat(64), 'z'.repeat(64)), fc.string({ maxLength: 5 }).filter((s) => !/[\s,]/.test(s)));
const part = fc.record({
  key: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), junk),
  date: fc.oneof(fc.constantFrom('20260101', '20260229', '20240229', '20261207', '2026010', '00991231'), junk),
  region: fc.oneof(label, junk),
  service: fc.oneof(label, junk),
  terminator: fc.constantFrom('aws4_request', 'aws4_request', 'aws4', ''),
  headers: fc.array(fc.oneof(fc.constantFrom('host', 'x-amz-date', 'content-type', ':authority', 'Host', 'host'), junk), { minLength: 1, maxLength: 4 }),
  signature: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), junk),
  separator: fc.constantFrom(', ', ','),
  amzDate: fc.oneof(fc.constant(undefined), fc.constantFrom('20260101T000000Z', '20261207T120000Z', '20260101T00000Z', 'x')),
});

describe('the SDK-form Authorization fast path', () => {
  it('parses to the same scope, or refuses with the same code and message, as the general parser', () => {
    fuzz(
      'sigv4-sdk-authorization',
      part,
      (p) => {
        const authorization = `AWS4-HMAC-SHA256 Credential=${p.key}/${p.date}/${p.region}/${p.service}/${p.terminator}${p.separator}SignedHeaders=${p.headers.join(';')}${p.separator}Signature=${p.signature}`;
        const slow = outcome(general(authorization), p.amzDate);
        // Twice: the first call may store the checked parts, the second reads them.
        expect(outcome(authorization, p.amzDate)).toEqual(slow);
        expect(outcome(authorization, p.amzDate)).toEqual(slow);
      },
      { runs: 3000 },
    );
  });

  it('a stored scope is not shared mutable state: its header list is frozen', () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    const a = parseSigV4({ headers: { authorization }, query: '' });
    const b = parseSigV4({ headers: { authorization: authorization.replace(/0{64}$/, '1'.repeat(64)) }, query: '' });
    expect(Object.isFrozen(a?.signedHeaders)).toBe(true);
    expect(b?.signedHeaders).toEqual(['host', 'x-amz-date']);
    expect(b?.signature).toBe('1'.repeat(64));
  });

  it('stays bounded: more distinct scopes than it holds still parse right', () => {
    for (let i = 0; i < MAX_CHECKED_SCOPES * 2 + 3; i++) {
      const authorization = `AWS4-HMAC-SHA256 Credential=key${i}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`;
      expect(parseSigV4({ headers: { authorization }, query: '' })?.accessKeyId).toBe(`key${i}`);
    }
  });

  it('refuses the same broken header on every call (a refusal is never stored)', () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=k/20261301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`;
    for (let i = 0; i < 3; i++) expect(() => parseSigV4({ headers: { authorization }, query: '' })).toThrow(expect.objectContaining({ code: 'AWS_MALFORMED_AUTHORIZATION' }));
  });
});
