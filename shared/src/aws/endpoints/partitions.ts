/**
 * AWS partitions Portcullis derives endpoints for. Other partitions (ISO, EUSC) need an explicit endpoint.
 */
import { AwsProtocolError } from '../errors/protocol-error.js';

export type PartitionId = 'aws' | 'aws-cn' | 'aws-us-gov';

export interface Partition {
  readonly id: PartitionId;
  /** DNS suffix of the classic endpoints: `amazonaws.com`. */
  readonly dnsSuffix: string;
  /** DNS suffix of the dual-stack (IPv4 + IPv6) endpoints: `api.aws`. */
  readonly dualStackDnsSuffix: string;
  readonly supportsFips: boolean;
}

const PARTITIONS: Readonly<Record<PartitionId, Partition>> = Object.freeze({
  aws: { id: 'aws', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws', supportsFips: true },
  'aws-cn': { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn', supportsFips: false },
  'aws-us-gov': { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws', supportsFips: true },
});

// Region names: two-letter area, one or more words, a number (us-east-1, ap-southeast-5, us-gov-west-1, cn-north-1).
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const OTHER_PARTITION = /^(?:us-iso|us-isob|us-isof|eu-isoe|eusc)-/;

/** True when `region` is shaped like an AWS region name (`us-east-1`); does not say it exists. */
export function isRegionName(region: string): boolean {
  return REGION.test(region);
}

/** The partition of a region; throws AWS_UNSUPPORTED_REGION for malformed names and unsupported partitions. */
export function partitionOf(region: string): Partition {
  if (!REGION.test(region) || OTHER_PARTITION.test(region)) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_REGION', `Region ${JSON.stringify(region.slice(0, 64))} is not in the aws, aws-cn or aws-us-gov partition`);
  }
  if (region.startsWith('cn-')) return PARTITIONS['aws-cn'];
  if (region.startsWith('us-gov-')) return PARTITIONS['aws-us-gov'];
  return PARTITIONS.aws;
}
