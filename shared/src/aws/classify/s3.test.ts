import { describe, expect, it } from '@jest/globals';
import { classifyAwsRequest } from './classify.js';
import type { AwsClassification, AwsRequestInfo } from './types.js';
import { codeOf } from '../testdata/load.js';

function s3(method: string, target: string, extra: Partial<AwsRequestInfo> = {}): AwsClassification {
  const [path = '', query = ''] = target.split('?');
  return classifyAwsRequest({ method, path, query, headers: {}, service: 's3', region: 'us-east-1', ...extra });
}

type Row = readonly [method: string, target: string, action: string, resource: string];

// method, path?query, action, resource: one row per S3 operation shape.
const ROWS: readonly Row[] = [
  ['GET', '/', 's3:ListAllMyBuckets', '*'],
  ['GET', '/?max-buckets=10&bucket-region=us-east-1', 's3:ListAllMyBuckets', '*'],
  ['GET', '/b', 's3:ListBucket', 'arn:aws:s3:::b'],
  ['GET', '/b/', 's3:ListBucket', 'arn:aws:s3:::b'],
  ['GET', '/b?list-type=2&prefix=a%2F&continuation-token=x', 's3:ListBucket', 'arn:aws:s3:::b'],
  ['HEAD', '/b', 's3:ListBucket', 'arn:aws:s3:::b'],
  ['GET', '/b?versions', 's3:ListBucketVersions', 'arn:aws:s3:::b'],
  ['GET', '/b?uploads', 's3:ListBucketMultipartUploads', 'arn:aws:s3:::b'],
  ['GET', '/b?acl', 's3:GetBucketAcl', 'arn:aws:s3:::b'],
  ['PUT', '/b?acl', 's3:PutBucketAcl', 'arn:aws:s3:::b'],
  ['GET', '/b?tagging', 's3:GetBucketTagging', 'arn:aws:s3:::b'],
  ['PUT', '/b?tagging', 's3:PutBucketTagging', 'arn:aws:s3:::b'],
  ['DELETE', '/b?tagging', 's3:PutBucketTagging', 'arn:aws:s3:::b'],
  ['DELETE', '/b?policy', 's3:DeleteBucketPolicy', 'arn:aws:s3:::b'],
  ['GET', '/b?location', 's3:GetBucketLocation', 'arn:aws:s3:::b'],
  ['PUT', '/b', 's3:CreateBucket', 'arn:aws:s3:::b'],
  ['DELETE', '/b', 's3:DeleteBucket', 'arn:aws:s3:::b'],
  ['GET', '/b/k', 's3:GetObject', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?x-id=GetObject&response-content-type=text%2Fplain', 's3:GetObject', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?versionId=3', 's3:GetObjectVersion', 'arn:aws:s3:::b/k'],
  ['HEAD', '/b/k', 's3:GetObject', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?partNumber=1', 's3:GetObject', 'arn:aws:s3:::b/k'],
  ['PUT', '/b/k', 's3:PutObject', 'arn:aws:s3:::b/k'],
  ['DELETE', '/b/k', 's3:DeleteObject', 'arn:aws:s3:::b/k'],
  ['DELETE', '/b/k?versionId=3', 's3:DeleteObjectVersion', 'arn:aws:s3:::b/k'],
  ['POST', '/b/k?uploads', 's3:PutObject', 'arn:aws:s3:::b/k'],
  ['PUT', '/b/k?partNumber=2&uploadId=u', 's3:PutObject', 'arn:aws:s3:::b/k'],
  ['POST', '/b/k?uploadId=u', 's3:PutObject', 'arn:aws:s3:::b/k'],
  ['DELETE', '/b/k?uploadId=u', 's3:AbortMultipartUpload', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?uploadId=u', 's3:ListMultipartUploadParts', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?acl', 's3:GetObjectAcl', 'arn:aws:s3:::b/k'],
  ['PUT', '/b/k?acl', 's3:PutObjectAcl', 'arn:aws:s3:::b/k'],
  ['PUT', '/b/k?acl&versionId=1', 's3:PutObjectVersionAcl', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?tagging', 's3:GetObjectTagging', 'arn:aws:s3:::b/k'],
  ['PUT', '/b/k?tagging', 's3:PutObjectTagging', 'arn:aws:s3:::b/k'],
  ['DELETE', '/b/k?tagging', 's3:DeleteObjectTagging', 'arn:aws:s3:::b/k'],
  ['GET', '/b/k?attributes', 's3:GetObjectAttributes', 'arn:aws:s3:::b/k'],
  ['POST', '/b/k?restore', 's3:RestoreObject', 'arn:aws:s3:::b/k'],
  ['POST', '/b/k?select&select-type=2', 's3:GetObject', 'arn:aws:s3:::b/k'],
  ['PUT', '/b/k?retention', 's3:PutObjectRetention', 'arn:aws:s3:::b/k'],
  ['POST', '/b', 's3:PutObject', 'arn:aws:s3:::b/*'],
  // Keys are decoded once and kept verbatim.
  ['GET', '/b/a%20b+c', 's3:GetObject', 'arn:aws:s3:::b/a b+c'],
  ['GET', '/b/dir%2Ffile', 's3:GetObject', 'arn:aws:s3:::b/dir/file'],
  ['GET', '/b/%E2%82%AC/x:y@z=w', 's3:GetObject', 'arn:aws:s3:::b/€/x:y@z=w'],
  ['GET', '/b//k', 's3:GetObject', 'arn:aws:s3:::b//k'],
  ['GET', '/b/k/', 's3:GetObject', 'arn:aws:s3:::b/k/'],
];

describe('classifyAwsRequest for S3 (path-style)', () => {
  for (const [method, target, action, resource] of ROWS) {
    it(`classifies ${method} ${target} as ${action}`, () => {
      const result = s3(method, target);
      expect(result).toMatchObject({ service: 's3', action, resources: [resource], protocol: 's3' });
    });
  }

  it('uses the partition of the region', () => {
    expect(s3('GET', '/b/k', { region: 'cn-north-1' }).resources).toEqual(['arn:aws-cn:s3:::b/k']);
    expect(s3('GET', '/b/k', { region: 'us-gov-west-1' }).resources).toEqual(['arn:aws-us-gov:s3:::b/k']);
  });
});

describe('classifyAwsRequest for S3 (virtual-hosted)', () => {
  it('takes the bucket from the host and the whole path as key', () => {
    expect(s3('GET', '/b2/k', { virtualHostBucket: 'b' }).resources).toEqual(['arn:aws:s3:::b/b2/k']);
    expect(s3('GET', '/', { virtualHostBucket: 'b' })).toMatchObject({ action: 's3:ListBucket', resources: ['arn:aws:s3:::b'] });
    expect(s3('PUT', '/?tagging', { virtualHostBucket: 'b' }).action).toBe('s3:PutBucketTagging');
  });

  it('refuses an invalid virtual-host bucket', () => {
    expect(codeOf(() => s3('GET', '/k', { virtualHostBucket: 'b/../c' }))).toBe('AWS_MALFORMED_PATH');
  });
});

describe('classifyAwsRequest for S3 path traversal', () => {
  it('keeps dot segments in the key so /bucket-a/../bucket-b/k stays in bucket-a', () => {
    expect(s3('DELETE', '/bucket-a/../bucket-b/k').resources).toEqual(['arn:aws:s3:::bucket-a/../bucket-b/k']);
  });

  it('refuses an encoded slash in the bucket segment', () => {
    expect(codeOf(() => s3('GET', '/a%2Fb/k'))).toBe('AWS_MALFORMED_PATH');
  });

  it('refuses an empty bucket segment', () => {
    expect(codeOf(() => s3('GET', '//k'))).toBe('AWS_MALFORMED_PATH');
  });

  it('refuses invalid UTF-8 in a key', () => {
    expect(codeOf(() => s3('GET', '/b/%FF'))).toBe('AWS_MALFORMED_PATH');
  });
});

describe('classifyAwsRequest for S3 copies and implied permissions', () => {
  it('adds s3:GetObject on the copy source of CopyObject', () => {
    const result = s3('PUT', '/dst/new', { headers: { 'x-amz-copy-source': '/src/dir%2Fold%20file.txt' } });
    expect(result).toMatchObject({ action: 's3:PutObject', resources: ['arn:aws:s3:::dst/new'] });
    expect(result.extraActions).toEqual([{ action: 's3:GetObject', resources: ['arn:aws:s3:::src/dir/old file.txt'] }]);
  });

  it('reads a versioned copy source as s3:GetObjectVersion', () => {
    const result = s3('PUT', '/dst/k?partNumber=1&uploadId=u', { headers: { 'x-amz-copy-source': 'src/k?versionId=v1' } });
    expect(result.extraActions).toEqual([{ action: 's3:GetObjectVersion', resources: ['arn:aws:s3:::src/k'] }]);
  });

  it('passes an access-point copy source through as its ARN', () => {
    const ap = 'arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/k';
    expect(s3('PUT', '/dst/k', { headers: { 'x-amz-copy-source': encodeURIComponent(ap) } }).extraActions).toEqual([{ action: 's3:GetObject', resources: [ap] }]);
  });

  it('refuses a copy source without a key', () => {
    expect(codeOf(() => s3('PUT', '/dst/k', { headers: { 'x-amz-copy-source': 'src' } }))).toBe('AWS_MALFORMED_PATH');
  });

  it('refuses a copy source on an operation that does not copy', () => {
    expect(codeOf(() => s3('GET', '/dst/k', { headers: { 'x-amz-copy-source': 'src/k' } }))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });

  it('adds tagging, ACL and object-lock permissions implied by PutObject headers', () => {
    const result = s3('PUT', '/b/k', {
      headers: { 'x-amz-tagging': 'a=b', 'x-amz-grant-read': 'id=1', 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-legal-hold': 'ON' },
    });
    expect(result.extraActions?.map((a) => a.action)).toEqual(['s3:PutObjectTagging', 's3:PutObjectAcl', 's3:PutObjectRetention', 's3:PutObjectLegalHold']);
  });
});

describe('classifyAwsRequest for S3 DeleteObjects', () => {
  it('authorizes each key when the caller parsed the body', () => {
    const result = s3('POST', '/b?delete', { deleteObjects: [{ key: 'a' }, { key: 'b/c', versionId: 'v' }] });
    expect(result).toMatchObject({ action: 's3:DeleteObject', resources: ['arn:aws:s3:::b/a', 'arn:aws:s3:::b/b/c'] });
    expect(result.extraActions).toEqual([{ action: 's3:DeleteObjectVersion', resources: ['arn:aws:s3:::b/b/c'] }]);
  });

  it('requires permission on the whole bucket when the body was not parsed', () => {
    expect(s3('POST', '/b?delete').resources).toEqual(['arn:aws:s3:::b/*']);
  });
});

describe('classifyAwsRequest for S3 refuses what it cannot name', () => {
  const refused: readonly [string, string][] = [
    ['PATCH', '/b/k'],
    ['GET', '/b/k?acl&tagging'],
    ['GET', '/b/k?torrentx'],
    ['GET', '/b?unknown-sub-resource'],
    ['POST', '/b/k'],
    ['PUT', '/'],
    ['GET', '/b?delete'],
  ];
  for (const [method, target] of refused) {
    it(`refuses ${method} ${target}`, () => {
      expect(codeOf(() => s3(method, target))).toBe('AWS_UNCLASSIFIED_REQUEST');
    });
  }

  it('ignores x-amz-* query parameters hoisted by presigning', () => {
    expect(s3('GET', '/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&x-amz-server-side-encryption=AES256').action).toBe('s3:GetObject');
  });
});
