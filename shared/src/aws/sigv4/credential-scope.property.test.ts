// Property: the SigV4 parser (Authorization header and presigned query) and the SigV2 presigned parser
// either refuse with their documented codes or return a scope that is well formed in every field; a
// well-formed signature round-trips; a SigV2 URL is never re-issued past its own deadline.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz, refusedOr } from '@portcullis/shared/testing/fuzz';
import { parseSigV4, type SigV4Scope } from './credential-scope.js';
import { parseSigV2Presigned, sigV2AsSigV4Scope } from '../sigv2/presigned.js';
import { amzDateToMs } from './resign-presigned.js';

const CODES = ['AWS_MALFORMED_AUTHORIZATION', 'AWS_UNSUPPORTED_SIGNING_ALGORITHM', 'AWS_MALFORMED_QUERY'];
const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
const token = fc.oneof(label, fc.constantFrom('', ' ', ',', '=', '/', ';', 'aws4_request', 'host', 'AWS4-HMAC-SHA256', '%', '%zz', '&', '+', 'Credential=', 'SignedHeaders=', 'Signature='), fc.string({ maxLength: 6 }));
const noise = fc.array(token, { maxLength: 14 }).map((t) => t.join(''));
const good = fc.record({
  key: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
  date: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
  region: label,
  service: label,
  headers: fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 4 }).map((h) => ['host', ...h.filter((x) => x !== 'host')]),
  signature: fc.stringMatching(/^[0-9a-f]{64}$/),
});

function wellFormed(scope: SigV4Scope): void {
  expect(scope.accessKeyId).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
  expect(scope.date).toMatch(/^\d{8}$/);
  expect(scope.region).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
  expect(scope.service).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
  expect(scope.signature).toMatch(/^[0-9a-f]{64}$/);
  expect(scope.signedHeaders.includes('host') || scope.signedHeaders.includes(':authority')).toBe(true);
  expect(new Set(scope.signedHeaders).size).toBe(scope.signedHeaders.length);
  if (scope.amzDate !== undefined) expect(scope.amzDate.startsWith(scope.date)).toBe(true);
  if (scope.presigned) expect(scope.expiresSeconds).toBeGreaterThanOrEqual(1);
}

describe('the signature parsers under fuzzing', () => {
  it('parseSigV4: refuses with its codes or returns a well-formed scope; well-formed input round-trips', () => {
    fuzz(
      'sigv4-credential-scope',
      fc.tuple(good, fc.boolean(), noise, fc.nat(5)),
      ([g, presigned, junk, where]) => {
        const amz = g.date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
        const credential = `${g.key}/${amz.slice(0, 8)}/${g.region}/${g.service}/aws4_request`;
        const fields = presigned
          ? [`X-Amz-Algorithm=AWS4-HMAC-SHA256`, `X-Amz-Credential=${encodeURIComponent(credential)}`, `X-Amz-Date=${amz}`, `X-Amz-Expires=300`, `X-Amz-SignedHeaders=${g.headers.join('%3B')}`, `X-Amz-Signature=${g.signature}`]
          : [`Credential=${credential}`, `SignedHeaders=${g.headers.join(';')}`, `Signature=${g.signature}`];
        const exact = presigned ? { headers: {}, query: fields.join('&') } : { headers: { authorization: `AWS4-HMAC-SHA256 ${fields.join(', ')}`, 'x-amz-date': amz }, query: '' };
        expect(parseSigV4(exact)).toMatchObject({ accessKeyId: g.key, region: g.region, service: g.service, signedHeaders: g.headers, signature: g.signature, presigned });
        // The same with noise spliced into one field (or replacing the whole value).
        const spliced = fields.map((f, i) => (i === where ? `${f.slice(0, Math.floor(f.length / 2))}${junk}${f.slice(Math.floor(f.length / 2))}` : f));
        const inputs = presigned
          ? [{ headers: {}, query: spliced.join('&') }, { headers: {}, query: junk }]
          : [{ headers: { authorization: `AWS4-HMAC-SHA256 ${spliced.join(', ')}`, 'x-amz-date': amz }, query: '' }, { headers: { authorization: junk }, query: '' }];
        for (const input of inputs) {
          const scope = refusedOr(() => parseSigV4(input), CODES);
          if (scope !== undefined) wellFormed(scope);
        }
      },
      { runs: 2000 },
    );
  });

  it('parseSigV2Presigned: refuses with its code or is re-issued no later than its Expires and for at most 7 days', () => {
    const now = new Date('2026-06-01T12:00:00.250Z');
    const nowS = Math.floor(now.getTime() / 1000);
    fuzz(
      'sigv2-presigned',
      fc.tuple(fc.integer({ min: -86400, max: 40 * 86400 }), fc.array(fc.oneof(fc.constantFrom('AWSAccessKeyId=k', 'Signature=uCzBbbGQcK0IfK8K3ZUiT8lI3cE%3D', 'Expires=1', 'x-amz-security-token=t', 'X-Amz-Date=1', '%', 'versionId=1'), noise), { maxLength: 5 }), fc.boolean()),
      ([delta, extra, withGood]) => {
        const base = withGood ? [`AWSAccessKeyId=portcullis-placeholder`, `Signature=uCzBbbGQcK0IfK8K3ZUiT8lI3cE%3D`, `Expires=${nowS + delta}`] : [];
        const v2 = refusedOr(() => parseSigV2Presigned([...base, ...extra].join('&')), ['AWS_MALFORMED_AUTHORIZATION', 'AWS_MALFORMED_QUERY']);
        if (v2 === undefined) return;
        const scope = refusedOr(() => sigV2AsSigV4Scope(v2, 'eu-west-1', now), ['AWS_PRESIGNED_URL_EXPIRED']);
        if (scope === undefined) {
          expect(v2.expiresEpochSeconds).toBeLessThanOrEqual(nowS);
          return;
        }
        wellFormed(scope);
        const deadlineS = amzDateToMs(scope.amzDate ?? '') / 1000 + (scope.expiresSeconds ?? 0);
        expect(deadlineS).toBeLessThanOrEqual(v2.expiresEpochSeconds);
        expect(scope.expiresSeconds).toBeLessThanOrEqual(604800);
        expect(scope).toMatchObject({ service: 's3', region: 'eu-west-1', presigned: true });
      },
      { runs: 2000 },
    );
  });
});
