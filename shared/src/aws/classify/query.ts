/**
 * AWS query protocol classification (`Action=` in the query string or the form body): STS, IAM, SNS,
 * SQS (legacy), SES, EC2, RDS, CloudFormation, ... Resources come from well-known parameters, one row
 * per service; anything else is `*`.
 */
import { arn, isArn, sqsQueueArn } from './arn.js';
import { iamPrefixOf, type AwsClassification, type AwsRequestInfo } from './types.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { toQueryParams, type QueryParam } from '../request/uri.js';

type Params = ReadonlyMap<string, string>;
type ResourceFn = (params: Params, info: AwsRequestInfo) => string[];

const ACTION = /^[A-Za-z0-9]{1,128}$/;

function arnParam(params: Params, ...names: string[]): string[] {
  for (const name of names) {
    const value = params.get(name);
    if (value !== undefined) return [isArn(value) ? value : '*'];
  }
  return ['*'];
}

/** Resource rules per IAM prefix. */
export const QUERY_RESOURCES: Readonly<Record<string, ResourceFn>> = {
  sns: (p, i) => {
    const name = p.get('Name');
    if (p.get('Action') === 'CreateTopic' && name !== undefined) return [arn(i.region, 'sns', i.accountId, name)];
    return arnParam(p, 'TopicArn', 'TargetArn', 'ResourceArn', 'SubscriptionArn');
  },
  sqs: (p, i) => {
    const url = p.get('QueueUrl');
    return [url === undefined ? '*' : sqsQueueArn(url, i.region)];
  },
  sts: (p) => arnParam(p, 'RoleArn'),
  iam: (p, i) => {
    const global = (resource: string): string[] => [arn(i.region, 'iam', i.accountId, resource, '')];
    const role = p.get('RoleName');
    if (role !== undefined) return global(`role/${role}`);
    const user = p.get('UserName');
    if (user !== undefined) return global(`user/${user}`);
    return arnParam(p, 'PolicyArn');
  },
};

function formParams(form: string | URLSearchParams | undefined): QueryParam[] {
  return form === undefined ? [] : toQueryParams(form);
}

/** Merges query and form parameters; a name given twice with different values is refused (parameter pollution). */
function mergeParams(query: readonly QueryParam[], form: readonly QueryParam[]): Map<string, string> {
  const merged = new Map<string, string>();
  for (const { name, value } of [...query, ...form]) {
    const existing = merged.get(name);
    if (existing !== undefined && existing !== value) {
      throw new AwsProtocolError('AWS_MALFORMED_QUERY', `Parameter ${JSON.stringify(name.slice(0, 64))} is given twice with different values`);
    }
    merged.set(name, value);
  }
  return merged;
}

/** True when the query string or form body carries `Action=`. */
export function hasActionParameter(info: Pick<AwsRequestInfo, 'query' | 'bodyForm'>): boolean {
  return [...toQueryParams(info.query), ...formParams(info.bodyForm)].some((p) => p.name === 'Action');
}

export function classifyQuery(info: AwsRequestInfo): AwsClassification {
  const params = mergeParams(toQueryParams(info.query), formParams(info.bodyForm));
  const action = params.get('Action') ?? '';
  if (!ACTION.test(action)) throw new AwsProtocolError('AWS_UNCLASSIFIED_REQUEST', `Action ${JSON.stringify(action.slice(0, 64))} is not an operation name`);
  const service = iamPrefixOf(info.service);
  const resources = Object.hasOwn(QUERY_RESOURCES, service) ? (QUERY_RESOURCES[service]?.(params, info) ?? ['*']) : ['*'];
  return { service, action: `${service}:${action}`, resources, protocol: service === 'ec2' ? 'ec2' : 'query' };
}
