import { describe, expect, it } from '@jest/globals';
import { parseSigV4 } from './credential-scope.js';
import { codeOf } from '../testdata/load.js';

const SIG = 'f'.repeat(64);
const AUTH = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${SIG}`;

function header(authorization: string, extra: Record<string, string> = {}): ReturnType<typeof parseSigV4> {
  return parseSigV4({ headers: { authorization, ...extra }, query: '' });
}

describe('parseSigV4 with an Authorization header', () => {
  it('parses scope, signed headers and signature', () => {
    expect(header(AUTH, { 'x-amz-date': '20260101T120000Z' })).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20260101',
      region: 'us-east-1',
      service: 's3',
      signedHeaders: ['host', 'x-amz-content-sha256', 'x-amz-date'],
      signature: SIG,
      presigned: false,
      amzDate: '20260101T120000Z',
      hasSecurityToken: false,
    });
  });

  it('accepts components without spaces and in any order', () => {
    const compact = `AWS4-HMAC-SHA256 Signature=${SIG},SignedHeaders=host,Credential=AKID/20260101/eu-west-1/execute-api/aws4_request`;
    expect(header(compact)).toMatchObject({ service: 'execute-api', region: 'eu-west-1', signedHeaders: ['host'] });
  });

  it('accepts the placeholder key id the webhook gives apps', () => {
    expect(header(AUTH.replace('AKIDEXAMPLE', 'portcullis-placeholder'))?.accessKeyId).toBe('portcullis-placeholder');
  });

  it('returns undefined for an unsigned request', () => {
    expect(parseSigV4({ headers: {}, query: 'a=1' })).toBeUndefined();
  });

  const malformed: readonly [string, string][] = [
    ['a missing Signature', AUTH.replace(/, Signature=.*/, '')],
    ['a repeated component', `${AUTH}, Signature=${SIG}`],
    ['an extra component', `${AUTH}, Foo=bar`],
    ['a short credential', AUTH.replace('/s3/aws4_request', '/aws4_request')],
    ['a wrong terminator', AUTH.replace('aws4_request', 'aws5_request')],
    ['an impossible date', AUTH.replace('20260101', '20260230')],
    ['a region that could steer a host name', AUTH.replace('us-east-1', 'evil.com')],
    ['a service with a slash', AUTH.replace('/s3/', '/s3%2f/')],
    ['an uppercase signature', AUTH.replace(SIG, 'F'.repeat(64))],
    ['a short signature', AUTH.replace(SIG, 'f'.repeat(63))],
    ['signed headers without host', AUTH.replace('host;', '')],
    ['uppercase signed headers', AUTH.replace('host;', 'Host;')],
    ['duplicate signed headers', AUTH.replace('host;', 'host;host;')],
    ['an empty access key id', AUTH.replace('AKIDEXAMPLE', '')],
    ['an access key id with a slash', AUTH.replace('AKIDEXAMPLE', 'AK/ID')],
    ['an oversize header', `${AUTH}${' '.repeat(9000)}`],
  ];
  for (const [what, value] of malformed) {
    it(`refuses ${what} as AWS_MALFORMED_AUTHORIZATION`, () => {
      expect(codeOf(() => header(value))).toBe('AWS_MALFORMED_AUTHORIZATION');
    });
  }

  it('refuses an X-Amz-Date on another day than the scope', () => {
    expect(codeOf(() => header(AUTH, { 'x-amz-date': '20260102T000000Z' }))).toBe('AWS_MALFORMED_AUTHORIZATION');
  });

  it('refuses SigV2, SigV4a and bearer tokens as unsupported algorithms', () => {
    for (const value of ['AWS AKID:c2ln', 'AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request', 'Bearer abc']) {
      expect(codeOf(() => header(value))).toBe('AWS_UNSUPPORTED_SIGNING_ALGORITHM');
    }
  });
});

describe('parseSigV4 with a presigned URL', () => {
  const query = (overrides: Record<string, string | undefined> = {}): string => {
    const params: Record<string, string | undefined> = {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20260101T000000Z',
      'X-Amz-Expires': '3600',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': SIG,
      ...overrides,
    };
    return Object.entries(params)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
  };

  it('parses the signing parameters', () => {
    expect(parseSigV4({ headers: {}, query: `versionId=1&${query({ 'X-Amz-Security-Token': 'tok' })}` })).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20260101',
      region: 'us-east-1',
      service: 's3',
      signedHeaders: ['host'],
      signature: SIG,
      presigned: true,
      amzDate: '20260101T000000Z',
      expiresSeconds: 3600,
      hasSecurityToken: true,
    });
  });

  it('accepts URLSearchParams', () => {
    expect(parseSigV4({ headers: {}, query: new URLSearchParams(query()) })?.presigned).toBe(true);
  });

  const malformed: readonly [string, Record<string, string | undefined>][] = [
    ['a missing X-Amz-Signature', { 'X-Amz-Signature': undefined }],
    ['a missing X-Amz-Expires', { 'X-Amz-Expires': undefined }],
    ['an expiry above seven days', { 'X-Amz-Expires': '604801' }],
    ['a zero expiry', { 'X-Amz-Expires': '0' }],
    ['a non-numeric expiry', { 'X-Amz-Expires': '1e3' }],
    ['a malformed date', { 'X-Amz-Date': '2026-01-01T00:00:00Z' }],
  ];
  for (const [what, overrides] of malformed) {
    it(`refuses ${what}`, () => {
      expect(codeOf(() => parseSigV4({ headers: {}, query: query(overrides) }))).toBe('AWS_MALFORMED_AUTHORIZATION');
    });
  }

  it('refuses a repeated signing parameter (parameter pollution)', () => {
    expect(codeOf(() => parseSigV4({ headers: {}, query: `${query()}&X-Amz-Credential=OTHER%2F20260101%2Fus-east-1%2Fiam%2Faws4_request` }))).toBe('AWS_MALFORMED_AUTHORIZATION');
  });

  it('refuses a request signed both ways', () => {
    expect(codeOf(() => parseSigV4({ headers: { authorization: AUTH }, query: query() }))).toBe('AWS_MALFORMED_AUTHORIZATION');
  });

  it('refuses a presigned SigV4a URL', () => {
    expect(codeOf(() => parseSigV4({ headers: {}, query: query({ 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256' }) }))).toBe('AWS_UNSUPPORTED_SIGNING_ALGORITHM');
  });
});

describe('the credential scope date', () => {
  /** The check as it was written with Date (before the arithmetic one): the reference. */
  function calendarDateByDate(date: string): boolean {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    if (m === null) return false;
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const d = new Date(Date.UTC(year, month - 1, day));
    return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  }

  it('accepts exactly the calendar dates Date accepts (leap years, month lengths, years before 100)', () => {
    const pad = (n: number, width: number): string => String(n).padStart(width, '0');
    let checked = 0;
    for (const year of [0, 1, 4, 99, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${pad(year, 4)}${pad(month, 2)}${pad(day, 2)}`;
          const auth = `AWS4-HMAC-SHA256 Credential=AKID/${date}/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`;
          const accepted = codeOf(() => header(auth)) === undefined;
          if (accepted !== calendarDateByDate(date)) throw new Error(`${date}: accepted ${accepted}`);
          checked++;
        }
      }
    }
    expect(checked).toBe(14 * 14 * 33);
  });
});

describe('SignedHeaders', () => {
  it('refuses a bad name, a repeated name or a list without host, with the same messages as before', () => {
    const message = (signed: string): string | undefined => {
      try {
        header(`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=${signed}, Signature=${SIG}`);
      } catch (err) {
        return (err as Error).message;
      }
      return undefined;
    };
    expect(message('host;x-amz-date')).toBeUndefined();
    expect(message('host;X-Amz-Date')).toContain('must be lowercase header names');
    expect(message('host;;x-amz-date')).toContain('must be lowercase header names');
    expect(message('host;x-amz-date;host;Bad')).toContain('lists host twice');
    expect(message('x-amz-date')).toContain('must include host');
  });
});
