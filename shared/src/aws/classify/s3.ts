/**
 * S3 REST classification: method + path + sub-resource → IAM action, resources as ARNs.
 *
 * The key is the path decoded once, exactly as S3 will see it (Portcullis sends the canonical re-encoding
 * of the same bytes upstream): `.`/`..` segments and `//` are part of the key, never resolved, so
 * `/bucket-a/../bucket-b/k` is key `../bucket-b/k` in bucket-a, which is also what S3 acts on.
 */
import { s3Arn } from './arn.js';
import { S3_PLAIN_PARAMETERS, S3_RULES, S3_SUBRESOURCES, type S3Level, type S3Rule } from './s3-table.js';
import type { AwsClassification, AwsRequestInfo, ClassifiedAction } from './types.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { headerValue } from '../request/headers.js';
import { decodePathSegments, parseQuery, percentDecodeBytes, queryValue, toQueryParams, type QueryParam } from '../request/uri.js';

const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const RULES = new Map<string, S3Rule>(S3_RULES.map((r) => [`${r.method} ${r.level} ${r.sub}`, r]));
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function unclassified(detail: string): AwsProtocolError {
  return new AwsProtocolError('AWS_UNCLASSIFIED_REQUEST', `S3 request not classified: ${detail}`);
}

function checkBucket(bucket: string): string {
  if (!BUCKET_NAME.test(bucket)) throw new AwsProtocolError('AWS_MALFORMED_PATH', `${JSON.stringify(bucket.slice(0, 64))} is not a valid bucket name`);
  return bucket;
}

/** Bucket and key (undefined at bucket level) of a path-style or virtual-hosted request. */
export function s3Target(path: string, virtualHostBucket: string | undefined): { bucket?: string; key?: string } {
  const segments = decodePathSegments(path === '' ? '/' : path);
  if (segments[0] !== '') throw new AwsProtocolError('AWS_MALFORMED_PATH', 'S3 paths must start with /');
  if (virtualHostBucket !== undefined) {
    const key = segments.slice(1).join('/');
    return key === '' ? { bucket: checkBucket(virtualHostBucket) } : { bucket: checkBucket(virtualHostBucket), key };
  }
  const bucket = segments[1] ?? '';
  if (bucket === '' && segments.length <= 2) return {};
  const key = segments.slice(2).join('/');
  return key === '' ? { bucket: checkBucket(bucket) } : { bucket: checkBucket(bucket), key };
}

function subresourceOf(params: readonly QueryParam[]): string {
  let sub = '';
  for (const { name } of params) {
    if (S3_SUBRESOURCES.has(name)) {
      if (sub !== '' && sub !== name) throw unclassified(`two sub-resources (${sub}, ${name})`);
      sub = name;
    } else if (!S3_PLAIN_PARAMETERS.has(name) && !name.toLowerCase().startsWith('x-amz-')) {
      throw unclassified(`unknown query parameter ${JSON.stringify(name.slice(0, 64))}`);
    }
  }
  return sub;
}

/** `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`) → the read it implies. */
export function copySourceAction(value: string, region: string): ClassifiedAction {
  const q = value.indexOf('?');
  const rawPath = (q < 0 ? value : value.slice(0, q)).replace(/^\//, '');
  const versionId = q < 0 ? undefined : queryValue(parseQuery(value.slice(q + 1)), 'versionId');
  const bytes = percentDecodeBytes(rawPath);
  let source: string;
  try {
    source = bytes === undefined ? '' : UTF8.decode(bytes);
  } catch {
    source = '';
  }
  const action = versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
  if (source.startsWith('arn:')) return { action, resources: [source] };
  const slash = source.indexOf('/');
  if (slash <= 0 || slash === source.length - 1) throw new AwsProtocolError('AWS_MALFORMED_PATH', 'x-amz-copy-source must be <bucket>/<key>');
  return { action, resources: [s3Arn(region, checkBucket(source.slice(0, slash)), source.slice(slash + 1))] };
}

/** Permissions implied by headers on writes: tags, ACL grants and object-lock settings. */
function headerActions(info: AwsRequestInfo, resource: string): ClassifiedAction[] {
  const extra: ClassifiedAction[] = [];
  const has = (name: string): boolean => headerValue(info.headers, name) !== undefined;
  if (has('x-amz-tagging')) extra.push({ action: 's3:PutObjectTagging', resources: [resource] });
  if (has('x-amz-acl') || Object.keys(info.headers).some((h) => h.startsWith('x-amz-grant-'))) extra.push({ action: 's3:PutObjectAcl', resources: [resource] });
  if (has('x-amz-object-lock-mode') || has('x-amz-object-lock-retain-until-date')) extra.push({ action: 's3:PutObjectRetention', resources: [resource] });
  if (has('x-amz-object-lock-legal-hold')) extra.push({ action: 's3:PutObjectLegalHold', resources: [resource] });
  return extra;
}

function deleteObjectsResources(info: AwsRequestInfo, bucket: string): { resources: string[]; extra: ClassifiedAction[] } {
  if (info.deleteObjects === undefined) return { resources: [s3Arn(info.region, bucket, '*')], extra: [] };
  const resources = info.deleteObjects.map((o) => s3Arn(info.region, bucket, o.key));
  const versioned = info.deleteObjects.filter((o) => o.versionId !== undefined).map((o) => s3Arn(info.region, bucket, o.key));
  return { resources, extra: versioned.length === 0 ? [] : [{ action: 's3:DeleteObjectVersion', resources: versioned }] };
}

function primaryResources(info: AwsRequestInfo, level: S3Level, sub: string, bucket: string | undefined, key: string | undefined): { resources: string[]; extra: ClassifiedAction[] } {
  if (bucket === undefined) return { resources: ['*'], extra: [] };
  if (info.method.toUpperCase() === 'POST' && level === 'bucket') {
    return sub === 'delete' ? deleteObjectsResources(info, bucket) : { resources: [s3Arn(info.region, bucket, '*')], extra: [] };
  }
  return { resources: [s3Arn(info.region, bucket, key)], extra: [] };
}

/** Reads implied by copies and permissions implied by write headers. */
function writeExtras(info: AwsRequestInfo, action: string, sub: string, key: string | undefined, resource: string): ClassifiedAction[] {
  const copySource = headerValue(info.headers, 'x-amz-copy-source');
  if (action !== 's3:PutObject' || key === undefined) {
    if (copySource !== undefined) throw unclassified('x-amz-copy-source on an operation that does not copy');
    return [];
  }
  const extra: ClassifiedAction[] = [];
  if (copySource !== undefined) extra.push(copySourceAction(copySource, info.region));
  if (sub === '' || sub === 'uploads') extra.push(...headerActions(info, resource));
  return extra;
}

export function classifyS3(info: AwsRequestInfo): AwsClassification {
  const params = toQueryParams(info.query);
  const method = info.method.toUpperCase();
  const { bucket, key } = s3Target(info.path, info.virtualHostBucket);
  const level: S3Level = bucket === undefined ? 'service' : key === undefined ? 'bucket' : 'object';
  const sub = subresourceOf(params);
  const found = RULES.get(`${method} ${level} ${sub}`);
  if (found === undefined) throw unclassified(`${method} on ${level}${sub === '' ? '' : ` ?${sub}`}`);
  const versioned = found.versioned !== undefined && queryValue(params, 'versionId') !== undefined;
  const action = `s3:${versioned ? (found.versioned ?? found.action) : found.action}`;
  const { resources, extra } = primaryResources(info, level, sub, bucket, key);
  extra.push(...writeExtras(info, action, sub, key, resources[0] ?? '*'));
  return extra.length === 0 ? { service: 's3', action, resources, protocol: 's3' } : { service: 's3', action, resources, protocol: 's3', extraActions: extra };
}
