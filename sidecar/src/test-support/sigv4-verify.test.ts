import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { verifySigV4 } from './sigv4-verify.js';

// The fake upstreams' verifier is itself checked against the published SigV4 test suite, so a passing
// pipeline test means "AWS would accept this", not "two copies of the same bug agree".
interface SuiteCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly sessionToken?: string;
  readonly authorization: string;
}
const suite = JSON.parse(readFileSync(new URL('../../../shared/src/aws/testdata/sigv4-suite.json', import.meta.url), 'utf8')) as {
  credentials: { accessKeyId: string; secretAccessKey: string };
  host: string;
  signingDate: string;
  cases: SuiteCase[];
};
const AMZ_DATE = suite.signingDate.replace(/[-:]/g, '').replace(/\.\d+/, '');

describe('the test upstream SigV4 verifier', () => {
  const keys = (sessionToken?: string): Map<string, { secretAccessKey: string; sessionToken?: string }> =>
    new Map([[suite.credentials.accessKeyId, sessionToken ? { secretAccessKey: suite.credentials.secretAccessKey, sessionToken } : { secretAccessKey: suite.credentials.secretAccessKey }]]);

  it.each(suite.cases.map((c) => [c.name, c] as const))('accepts suite case %s', (_name, c) => {
    const headers: Record<string, string> = { host: suite.host, 'x-amz-date': AMZ_DATE, ...c.headers, authorization: c.authorization };
    if (c.sessionToken) headers['x-amz-security-token'] = c.sessionToken;
    const url = c.query ? `${c.path}?${c.query}` : c.path;
    const verdict = verifySigV4(c.method, url, headers, Buffer.from(c.body ?? ''), keys(c.sessionToken));
    expect(verdict).toMatchObject({ ok: true });
  });

  it('rejects the same requests signed with another key', () => {
    const c = suite.cases.find((x) => x.name === 'get-vanilla');
    const headers = { host: suite.host, 'x-amz-date': AMZ_DATE, authorization: c?.authorization ?? '' };
    const other = new Map([[suite.credentials.accessKeyId, { secretAccessKey: 'portcullis-placeholder' }]]);
    expect(verifySigV4('GET', '/', headers, Buffer.alloc(0), other)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4('GET', '/', headers, Buffer.alloc(0), new Map())).toMatchObject({ ok: false, code: 'InvalidAccessKeyId' });
  });
});
