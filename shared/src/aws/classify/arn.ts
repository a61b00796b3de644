/**
 * ARN builders for classified resources. The partition comes from the region; an unknown account is `*`
 * so that only policies that wildcard the account can match it (fail closed for account-pinned rules).
 */
import { isRegionName, partitionOf } from '../endpoints/partitions.js';

export function partitionName(region: string): string {
  return isRegionName(region) ? partitionOf(region).id : 'aws';
}

export function arn(region: string, service: string, account: string | undefined, resource: string, arnRegion: string = region): string {
  return `arn:${partitionName(region)}:${service}:${arnRegion}:${account ?? '*'}:${resource}`;
}

export function s3Arn(region: string, bucket: string, key?: string): string {
  return `arn:${partitionName(region)}:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;
}

const ARN_SHAPE = /^arn:aws(?:-cn|-us-gov)?:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12}|\*|aws)?:[^\s]+$/;

/** True when `value` looks like an ARN (used to pass ARNs the app named through as-is). */
export function isArn(value: string): boolean {
  return value.length <= 2048 && ARN_SHAPE.test(value);
}

/** An SQS QueueUrl (`https://sqs.<region>.amazonaws.com/<account>/<name>`) as a queue ARN, or `*`. */
export function sqsQueueArn(queueUrl: string, region: string): string {
  let path: string;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    return '*';
  }
  const match = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(path);
  if (match === null) return '*';
  return arn(region, 'sqs', match[1], match[2] ?? '');
}
