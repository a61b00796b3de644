import { describe, expect, it } from '@jest/globals';
import { resolveEndpoint } from '@portcullis/shared';
import { hostLabel, viewRequest } from './request-view.js';
import { upstreamTarget } from './upstream-target.js';

const AUTH = (service: string): string =>
  `AWS4-HMAC-SHA256 Credential=portcullis-placeholder/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
const headers = (service: string, host: string): Record<string, string> => ({ authorization: AUTH(service), host, 'x-amz-date': '20260101T000000Z' });
const OPTS = { now: new Date('2026-01-01T00:00:00Z'), sigV2Region: 'us-east-1' };
const s3 = resolveEndpoint({ service: 's3', region: 'eu-west-1' });

describe('the AWS request view', () => {
  it.each([
    ['127.0.0.1:18100', undefined],
    ['[::1]:18100', undefined],
    ['localhost:18100', undefined],
    ['reports.localhost:18100', 'reports'],
    ['Bedrock-Runtime.LOCALHOST', 'bedrock-runtime'],
  ])('reads the host label of %s', (host, label) => {
    expect(hostLabel(host)).toBe(label);
  });

  it('turns a virtual-hosted S3 request into path-style', () => {
    expect(viewRequest('/q1/a.txt', '', headers('s3', 'reports.localhost:1'), OPTS)).toMatchObject({ service: 's3', region: 'eu-west-1', path: '/reports/q1/a.txt', hostBucket: 'reports' });
    expect(viewRequest('/', 'list-type=2', headers('s3', 'reports.localhost:1'), OPTS).path).toBe('/reports');
  });

  it('passes another service host label on as an endpoint hint', () => {
    expect(viewRequest('/model/m/invoke', '', headers('bedrock', 'bedrock-runtime.localhost:1'), OPTS)).toMatchObject({ path: '/model/m/invoke', hostPrefixHint: 'bedrock-runtime' });
  });
});

describe('upstreamTarget', () => {
  it('sends S3 to AWS virtual-hosted when the bucket can be a host label', () => {
    const t = upstreamTarget('/reports/q1/a%20b.txt', s3, true, false);
    expect(t.endpoint.url.host).toBe('reports.s3.eu-west-1.amazonaws.com');
    expect(t.path).toBe('/q1/a%20b.txt');
    expect(upstreamTarget('/reports', s3, true, false).path).toBe('/');
    expect(upstreamTarget('/reports//k', s3, true, false).path).toBe('//k');
  });

  it('keeps path-style for buckets with dots, for the service root and for endpoint overrides', () => {
    expect(upstreamTarget('/my.bucket/k', s3, true, false)).toEqual({ endpoint: s3, path: '/my.bucket/k' });
    expect(upstreamTarget('/', s3, true, false)).toEqual({ endpoint: s3, path: '/' });
    const minio = resolveEndpoint({ service: 's3', region: 'eu-west-1', override: 'http://127.0.0.1:9000' });
    expect(upstreamTarget('/reports/k', minio, true, true)).toEqual({ endpoint: minio, path: '/reports/k' });
  });
});
