import { describe, expect, it } from '@jest/globals';
import { viewRequest } from './request-view.js';
import { s3HostBucket } from './s3-host-bucket.js';

describe('the bucket in S3\'s own virtual-hosted names (apps in HTTPS_PROXY mode call them unchanged)', () => {
  it.each([
    ['data.s3.eu-west-1.amazonaws.com', 'data'],
    ['data.s3.eu-west-1.amazonaws.com:443', 'data'],
    ['DATA.S3.EU-WEST-1.AMAZONAWS.COM.', 'data'],
    ['my.dotted.bucket.s3.us-east-1.amazonaws.com', 'my.dotted.bucket'],
    ['data.s3.amazonaws.com', 'data'],
    ['data.s3-eu-west-1.amazonaws.com', 'data'],
    ['data.s3-fips.us-gov-west-1.amazonaws.com', 'data'],
    ['data.s3.dualstack.eu-west-1.amazonaws.com', 'data'],
    ['data.s3.cn-north-1.amazonaws.com.cn', 'data'],
  ])('%s is bucket %s', (host, bucket) => {
    expect(s3HostBucket(host)).toBe(bucket);
  });

  it.each([
    's3.eu-west-1.amazonaws.com',
    's3.amazonaws.com',
    'ap-111122223333.s3-accesspoint.eu-west-1.amazonaws.com',
    'data.s3.eu-west-1.amazonaws.com.evil.example',
    'data.s3.eu-west-1.example.com',
    'dynamodb.eu-west-1.amazonaws.com',
    '[::1]:443',
    undefined,
  ])('%s names no bucket', (host) => {
    expect(s3HostBucket(host)).toBeUndefined();
  });

  it('makes a virtual-hosted S3 request path-style, and leaves other services\' hosts alone', () => {
    const auth = (service: string): string => `AWS4-HMAC-SHA256 Credential=portcullis-placeholder/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
    const opts = { now: new Date('2026-01-01T00:00:00Z'), sigV2Region: 'us-east-1' };
    const s3 = viewRequest('/reports/q1.csv', '', { host: 'data.s3.eu-west-1.amazonaws.com', authorization: auth('s3') }, opts);
    expect(s3).toMatchObject({ path: '/data/reports/q1.csv', hostBucket: 'data' });
    const root = viewRequest('/', '', { host: 'data.s3.eu-west-1.amazonaws.com', authorization: auth('s3') }, opts);
    expect(root.path).toBe('/data');
    const pathStyle = viewRequest('/data/a', '', { host: 's3.eu-west-1.amazonaws.com', authorization: auth('s3') }, opts);
    expect(pathStyle).toMatchObject({ path: '/data/a' });
    expect(pathStyle.hostBucket).toBeUndefined();
    // A Host that looks like S3 does not make another service's call an S3 one.
    const sqs = viewRequest('/', '', { host: 'data.s3.eu-west-1.amazonaws.com', authorization: auth('sqs') }, opts);
    expect(sqs).toMatchObject({ path: '/' });
    expect(sqs.hostPrefixHint).toBeUndefined();
  });
});
