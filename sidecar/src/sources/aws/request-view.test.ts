import { describe, expect, it } from '@jest/globals';
import { isAwsProtocolError, PresignedUrlExpiredError } from '@portcullis/shared';
import { viewRequest } from './request-view.js';

const NOW = new Date('2026-01-01T00:00:00.400Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const OPTS = { now: NOW, sigV2Region: 'eu-central-1' };
const SIG = 'uCzBbbGQcK0IfK8K3ZUiT8lI3cE%3D';
const v2 = (expires: number, extra = ''): string => `AWSAccessKeyId=portcullis-placeholder&Signature=${SIG}&Expires=${expires}${extra}`;

describe('a SigV2 presigned URL in the AWS request view', () => {
  it('becomes an S3 SigV4 scope in the source region, valid until the SigV2 deadline', () => {
    const view = viewRequest('/data/a.txt', v2(NOW_S + 60, '&response-content-type=text%2Fplain'), { host: '127.0.0.1:1' }, OPTS);
    expect(view).toMatchObject({ sigV2: true, service: 's3', region: 'eu-central-1', s3: true, path: '/data/a.txt', query: 'response-content-type=text%2Fplain' });
    expect(view.scope).toMatchObject({ presigned: true, amzDate: '20260101T000000Z', expiresSeconds: 60, signedHeaders: ['host'] });
  });

  it('drops the SigV2 parameters and a SigV2 session token from the query it classifies and re-signs', () => {
    const view = viewRequest('/data/a.txt', v2(NOW_S + 60, '&x-amz-security-token=abc&versionId=7'), {}, OPTS);
    expect(view.query).toBe('versionId=7');
  });

  it('refuses an expired SigV2 URL at its Expires second, with the instants S3 reports', () => {
    for (const expires of [NOW_S, NOW_S - 3600, 0]) {
      let err: unknown;
      try {
        viewRequest('/data/a.txt', v2(expires), {}, OPTS);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PresignedUrlExpiredError);
      expect((err as PresignedUrlExpiredError).expiredAt.getTime()).toBe(expires * 1000);
    }
  });

  it('re-issues a SigV2 URL valid for longer than 7 days for 7 days (the SigV4 maximum)', () => {
    expect(viewRequest('/data/a', v2(NOW_S + 30 * 86400), {}, OPTS).scope.expiresSeconds).toBe(604800);
  });

  it.each([
    ['a missing Signature', `AWSAccessKeyId=k&Expires=${NOW_S + 60}`],
    ['a repeated Expires', `${v2(NOW_S + 60)}&Expires=${NOW_S + 99999}`],
    ['a non-numeric Expires', `AWSAccessKeyId=k&Signature=${SIG}&Expires=soon`],
    ['SigV4 parameters mixed in', `${v2(NOW_S + 60)}&X-Amz-Date=20260101T000000Z`],
  ])('refuses %s as a malformed signature', (_name, query) => {
    expect(() => viewRequest('/data/a', query, {}, OPTS)).toThrow(expect.objectContaining({ code: 'AWS_MALFORMED_AUTHORIZATION' }));
  });

  it('leaves a request with an Authorization header to the SigV4 parser', () => {
    let err: unknown;
    try {
      viewRequest('/data/a', v2(NOW_S + 60), { authorization: 'AWS portcullis-placeholder:abc=' }, OPTS);
    } catch (e) {
      err = e;
    }
    expect(isAwsProtocolError(err, 'AWS_UNSUPPORTED_SIGNING_ALGORITHM')).toBe(true);
  });
});
