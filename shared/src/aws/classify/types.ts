/**
 * Inputs and outputs of the AWS request classifier, and the wire protocol of a request (which also decides
 * the shape of a denial).
 */
import type { DeleteObjectsKey } from './delete-objects.js';
import { headerValue, type HeaderMap } from '../request/headers.js';
import type { QueryParam } from '../request/uri.js';

/** The error/response family a request belongs to. */
export type AwsProtocol = 's3' | 'query' | 'rest-xml' | 'ec2' | 'json' | 'rest-json';

export interface AwsRequestInfo {
  readonly method: string;
  /** The path exactly as sent, without the query. */
  readonly path: string;
  readonly query: string | URLSearchParams | readonly QueryParam[];
  /** Lowercase header names. */
  readonly headers: HeaderMap;
  /** The signing name from the credential scope. */
  readonly service: string;
  readonly region: string;
  /** The AWS account the real credentials belong to; `*` in ARNs when unknown. */
  readonly accountId?: string;
  /** The parsed body of an `application/x-www-form-urlencoded` request (query protocols), when small. */
  readonly bodyForm?: string | URLSearchParams;
  /** The parsed body of a JSON request, when small. */
  readonly bodyJson?: unknown;
  /** S3: the bucket from a virtual-hosted Host (`bucket.s3.<region>.amazonaws.com`, `bucket.localhost`). */
  readonly virtualHostBucket?: string;
  /** S3 DeleteObjects: the keys from parseDeleteObjectsKeys; without them the whole bucket is the resource. */
  readonly deleteObjects?: readonly DeleteObjectsKey[];
}

export interface ClassifiedAction {
  /** `s3:GetObject`: IAM service prefix and action name. */
  readonly action: string;
  /** ARNs; `*` (or `*` in the account field) where the request does not say. */
  readonly resources: readonly string[];
}

export interface AwsClassification extends ClassifiedAction {
  /** The IAM service prefix (`s3`, `dynamodb`, `cloudwatch` for signing name `monitoring`). */
  readonly service: string;
  readonly protocol: AwsProtocol;
  /** Further permissions the call needs (CopyObject reads its source; PutObject with tags tags it). */
  readonly extraActions?: readonly ClassifiedAction[];
}

const S3_SIGNING_NAMES = new Set(['s3', 's3-outposts', 's3express']);
const QUERY_SERVICES = new Set([
  'sts',
  'iam',
  'sns',
  'ses',
  'rds',
  'cloudformation',
  'elasticloadbalancing',
  'autoscaling',
  'elasticache',
  'redshift',
  'neptune-db',
  'docdb',
  'elasticbeanstalk',
]);
const REST_XML_SERVICES = new Set(['route53', 'cloudfront']);

/** True when the content type is a form body (query protocols). */
export function isFormContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** `1.0` / `1.1` from `application/x-amz-json-1.x`, undefined otherwise. */
export function amzJsonVersion(contentType: string | undefined): '1.0' | '1.1' | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-amz-json-1.0') return '1.0';
  if (type === 'application/x-amz-json-1.1') return '1.1';
  return undefined;
}

/**
 * The protocol of a request, from its signing name and headers alone (usable before classification, e.g.
 * to render an error for a request that could not be classified).
 */
export function detectProtocol(service: string, headers: HeaderMap, hasActionParameter = false): AwsProtocol {
  if (S3_SIGNING_NAMES.has(service)) return 's3';
  if (headerValue(headers, 'x-amz-target') !== undefined || amzJsonVersion(headerValue(headers, 'content-type')) !== undefined) return 'json';
  if (service === 'ec2') return 'ec2';
  if (REST_XML_SERVICES.has(service)) return 'rest-xml';
  if (hasActionParameter || isFormContentType(headerValue(headers, 'content-type')) || QUERY_SERVICES.has(service)) return 'query';
  return 'rest-json';
}

/** Signing names whose IAM action prefix differs. */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  monitoring: 'cloudwatch',
  email: 'ses',
  mobiletargeting: 'mobiletargeting',
  'execute-api': 'execute-api',
  aoss: 'aoss',
  iotdata: 'iot',
  'neptune-db': 'neptune-db',
};

/** The IAM action prefix for a signing name (`monitoring` → `cloudwatch`). */
export function iamPrefixOf(signingName: string): string {
  return IAM_PREFIX[signingName] ?? signingName;
}
