/**
 * S3 REST operations → IAM actions, one row each: HTTP method, level (service, bucket or object), the
 * sub-resource query parameter ('' for none), the action, and the action when `versionId` is given.
 * Names follow the IAM Service Authorization Reference (e.g. DeleteBucketTagging needs s3:PutBucketTagging,
 * ListObjectsV2 and HeadBucket need s3:ListBucket, SelectObjectContent needs s3:GetObject).
 */
export type S3Level = 'service' | 'bucket' | 'object';

export interface S3Rule {
  readonly method: string;
  readonly level: S3Level;
  readonly sub: string;
  readonly action: string;
  readonly versioned?: string;
}

const rule = (method: string, level: S3Level, sub: string, action: string, versioned?: string): S3Rule =>
  versioned === undefined ? { method, level, sub, action } : { method, level, sub, action, versioned };

/** Bucket configuration sub-resources with plain Get/Put(/Delete) permissions. */
const BUCKET_CONFIG: readonly (readonly [sub: string, get: string, put: string, del?: string])[] = [
  ['acl', 'GetBucketAcl', 'PutBucketAcl'],
  ['tagging', 'GetBucketTagging', 'PutBucketTagging', 'PutBucketTagging'],
  ['policy', 'GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'],
  ['versioning', 'GetBucketVersioning', 'PutBucketVersioning'],
  ['cors', 'GetBucketCORS', 'PutBucketCORS', 'PutBucketCORS'],
  ['lifecycle', 'GetLifecycleConfiguration', 'PutLifecycleConfiguration', 'PutLifecycleConfiguration'],
  ['encryption', 'GetEncryptionConfiguration', 'PutEncryptionConfiguration', 'PutEncryptionConfiguration'],
  ['notification', 'GetBucketNotification', 'PutBucketNotification'],
  ['logging', 'GetBucketLogging', 'PutBucketLogging'],
  ['website', 'GetBucketWebsite', 'PutBucketWebsite', 'DeleteBucketWebsite'],
  ['replication', 'GetReplicationConfiguration', 'PutReplicationConfiguration', 'PutReplicationConfiguration'],
  ['object-lock', 'GetBucketObjectLockConfiguration', 'PutBucketObjectLockConfiguration'],
  ['publicAccessBlock', 'GetBucketPublicAccessBlock', 'PutBucketPublicAccessBlock', 'PutBucketPublicAccessBlock'],
  ['ownershipControls', 'GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'PutBucketOwnershipControls'],
  ['requestPayment', 'GetBucketRequestPayment', 'PutBucketRequestPayment'],
  ['accelerate', 'GetAccelerateConfiguration', 'PutAccelerateConfiguration'],
  ['analytics', 'GetAnalyticsConfiguration', 'PutAnalyticsConfiguration', 'PutAnalyticsConfiguration'],
  ['metrics', 'GetMetricsConfiguration', 'PutMetricsConfiguration', 'PutMetricsConfiguration'],
  ['inventory', 'GetInventoryConfiguration', 'PutInventoryConfiguration', 'PutInventoryConfiguration'],
  ['intelligent-tiering', 'GetIntelligentTieringConfiguration', 'PutIntelligentTieringConfiguration', 'PutIntelligentTieringConfiguration'],
];

export const S3_RULES: readonly S3Rule[] = [
  rule('GET', 'service', '', 'ListAllMyBuckets'),
  rule('GET', 'bucket', '', 'ListBucket'),
  rule('HEAD', 'bucket', '', 'ListBucket'),
  rule('GET', 'bucket', 'versions', 'ListBucketVersions'),
  rule('GET', 'bucket', 'uploads', 'ListBucketMultipartUploads'),
  rule('GET', 'bucket', 'location', 'GetBucketLocation'),
  rule('GET', 'bucket', 'policyStatus', 'GetBucketPolicyStatus'),
  rule('PUT', 'bucket', '', 'CreateBucket'),
  rule('DELETE', 'bucket', '', 'DeleteBucket'),
  rule('POST', 'bucket', 'delete', 'DeleteObject'),
  // Browser-based POST upload: the key is inside the multipart form, so the resource is the whole bucket.
  rule('POST', 'bucket', '', 'PutObject'),
  ...BUCKET_CONFIG.flatMap(([sub, get, put, del]) => [
    rule('GET', 'bucket', sub, get),
    rule('PUT', 'bucket', sub, put),
    ...(del === undefined ? [] : [rule('DELETE', 'bucket', sub, del)]),
  ]),
  rule('GET', 'object', '', 'GetObject', 'GetObjectVersion'),
  rule('HEAD', 'object', '', 'GetObject', 'GetObjectVersion'),
  rule('PUT', 'object', '', 'PutObject'),
  rule('DELETE', 'object', '', 'DeleteObject', 'DeleteObjectVersion'),
  rule('GET', 'object', 'acl', 'GetObjectAcl', 'GetObjectVersionAcl'),
  rule('PUT', 'object', 'acl', 'PutObjectAcl', 'PutObjectVersionAcl'),
  rule('GET', 'object', 'tagging', 'GetObjectTagging', 'GetObjectVersionTagging'),
  rule('PUT', 'object', 'tagging', 'PutObjectTagging', 'PutObjectVersionTagging'),
  rule('DELETE', 'object', 'tagging', 'DeleteObjectTagging', 'DeleteObjectVersionTagging'),
  rule('GET', 'object', 'attributes', 'GetObjectAttributes', 'GetObjectVersionAttributes'),
  rule('GET', 'object', 'retention', 'GetObjectRetention'),
  rule('PUT', 'object', 'retention', 'PutObjectRetention'),
  rule('GET', 'object', 'legal-hold', 'GetObjectLegalHold'),
  rule('PUT', 'object', 'legal-hold', 'PutObjectLegalHold'),
  rule('GET', 'object', 'torrent', 'GetObjectTorrent', 'GetObjectVersionTorrent'),
  rule('POST', 'object', 'uploads', 'PutObject'),
  rule('PUT', 'object', 'uploadId', 'PutObject'),
  rule('POST', 'object', 'uploadId', 'PutObject'),
  rule('DELETE', 'object', 'uploadId', 'AbortMultipartUpload'),
  rule('GET', 'object', 'uploadId', 'ListMultipartUploadParts'),
  rule('POST', 'object', 'restore', 'RestoreObject'),
  rule('POST', 'object', 'select', 'GetObject'),
];

/** Every sub-resource the table knows; a request with two of them, or an unknown one, is refused. */
export const S3_SUBRESOURCES: ReadonlySet<string> = new Set(S3_RULES.map((r) => r.sub).filter((s) => s !== ''));

/** Query parameters that modify an operation without naming a different one. */
export const S3_PLAIN_PARAMETERS: ReadonlySet<string> = new Set([
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'list-type',
  'continuation-token',
  'start-after',
  'fetch-owner',
  'encoding-type',
  'key-marker',
  'version-id-marker',
  'upload-id-marker',
  'max-uploads',
  'max-parts',
  'part-number-marker',
  'versionId',
  'partNumber',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'x-id',
  'id',
  'select-type',
  'max-buckets',
  'bucket-region',
  'optional-object-attributes',
]);
