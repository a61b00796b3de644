/**
 * AWS JSON protocol classification (`X-Amz-Target: <Prefix>.<Operation>`): the target prefix names the
 * IAM service, the operation the action; resources come from well-known body fields when the caller
 * passes the parsed (small) body. One row per target prefix; an unknown prefix falls back to the scope's
 * service. A resource the body does not name is `*`.
 */
import { arn, isArn, sqsQueueArn } from './arn.js';
import { amzJsonVersion, iamPrefixOf, type AwsClassification, type AwsRequestInfo } from './types.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { headerValue } from '../request/headers.js';

type Body = Readonly<Record<string, unknown>>;
type ResourceFn = (body: Body, info: AwsRequestInfo, operation: string) => string[];

interface JsonTargetRow {
  readonly iamPrefix: string;
  readonly resources?: ResourceFn;
}

const TARGET = /^([A-Za-z0-9_]{1,64})\.([A-Za-z0-9]{1,128})$/;

function str(body: Body, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function named(value: string | undefined, info: AwsRequestInfo, service: string, resource: (name: string) => string): string[] {
  if (value === undefined) return ['*'];
  return [isArn(value) ? value : arn(info.region, service, info.accountId, resource(value))];
}

function transactTables(transact: unknown, names: Set<string>): void {
  if (!Array.isArray(transact)) return;
  for (const item of transact as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    for (const op of Object.values(item as Body)) {
      const name = typeof op === 'object' && op !== null ? (op as Body).TableName : undefined;
      if (typeof name === 'string' && name !== '') names.add(name);
    }
  }
}

function dynamodbTables(body: Body, info: AwsRequestInfo): string[] {
  const streamArn = str(body, 'StreamArn');
  if (streamArn !== undefined && isArn(streamArn)) return [streamArn];
  const names = new Set<string>();
  const table = str(body, 'TableName');
  if (table !== undefined) names.add(table);
  const requestItems = body.RequestItems;
  if (typeof requestItems === 'object' && requestItems !== null) for (const name of Object.keys(requestItems)) names.add(name);
  transactTables(body.TransactItems, names);
  if (names.size === 0) return ['*'];
  return [...names].map((name) => (isArn(name) ? name : arn(info.region, 'dynamodb', info.accountId, `table/${name}`)));
}

function kmsKey(body: Body, info: AwsRequestInfo): string[] {
  const id = str(body, 'KeyId') ?? str(body, 'DestinationKeyId');
  return named(id, info, 'kms', (name) => (name.startsWith('alias/') ? name : `key/${name}`));
}

function ssmParameters(body: Body, info: AwsRequestInfo): string[] {
  const names = Array.isArray(body.Names) ? (body.Names as unknown[]).filter((n): n is string => typeof n === 'string') : [];
  const single = str(body, 'Name') ?? str(body, 'Path');
  if (single !== undefined) names.push(single);
  if (names.length === 0) return ['*'];
  return names.map((name) => (isArn(name) ? name : arn(info.region, 'ssm', info.accountId, `parameter/${name.replace(/^\//, '')}`)));
}

/** One row per X-Amz-Target prefix. */
export const JSON_TARGETS: Readonly<Record<string, JsonTargetRow>> = {
  DynamoDB_20120810: { iamPrefix: 'dynamodb', resources: dynamodbTables },
  DynamoDBStreams_20120810: { iamPrefix: 'dynamodb', resources: dynamodbTables },
  AmazonSQS: { iamPrefix: 'sqs', resources: (b, i) => [(str(b, 'QueueUrl') === undefined ? '*' : sqsQueueArn(str(b, 'QueueUrl') ?? '', i.region))] },
  secretsmanager: { iamPrefix: 'secretsmanager', resources: (b, i) => named(str(b, 'SecretId'), i, 'secretsmanager', (n) => `secret:${n}`) },
  TrentService: { iamPrefix: 'kms', resources: kmsKey },
  AmazonSSM: { iamPrefix: 'ssm', resources: ssmParameters },
  Logs_20140328: {
    iamPrefix: 'logs',
    resources: (b, i) => named(str(b, 'logGroupIdentifier') ?? str(b, 'logGroupName'), i, 'logs', (n) => `log-group:${n}`),
  },
  Kinesis_20131202: { iamPrefix: 'kinesis', resources: (b, i) => named(str(b, 'StreamARN') ?? str(b, 'StreamName'), i, 'kinesis', (n) => `stream/${n}`) },
  AWSStepFunctions: { iamPrefix: 'states', resources: (b) => [str(b, 'stateMachineArn') ?? str(b, 'executionArn') ?? '*'].map((a) => (a === '*' || isArn(a) ? a : '*')) },
  AWSCognitoIdentityProviderService: { iamPrefix: 'cognito-idp' },
  AWSCognitoIdentityService: { iamPrefix: 'cognito-identity' },
  AWSEvents: { iamPrefix: 'events' },
  Firehose_20150804: { iamPrefix: 'firehose', resources: (b, i) => named(str(b, 'DeliveryStreamName'), i, 'firehose', (n) => `deliverystream/${n}`) },
  AmazonEC2ContainerRegistry_V20150921: { iamPrefix: 'ecr', resources: (b, i) => named(str(b, 'repositoryName'), i, 'ecr', (n) => `repository/${n}`) },
  AmazonEC2ContainerServiceV20141113: { iamPrefix: 'ecs' },
  AWSSecurityTokenServiceV20110615: { iamPrefix: 'sts', resources: (b) => [str(b, 'RoleArn') ?? '*'] },
  GraniteServiceVersion20100801: { iamPrefix: 'cloudwatch' },
  CertificateManager: { iamPrefix: 'acm' },
  AmazonAthena: { iamPrefix: 'athena' },
  AWSGlue: { iamPrefix: 'glue' },
  SageMaker: { iamPrefix: 'sagemaker' },
  AWSOrganizationsV20161128: { iamPrefix: 'organizations' },
  CodeBuild_20161006: { iamPrefix: 'codebuild' },
  AWSWAF_20190729: { iamPrefix: 'wafv2' },
};

const KNOWN_SERVICES: ReadonlySet<string> = new Set(Object.values(JSON_TARGETS).map((row) => row.iamPrefix));

/** Classifies a JSON-protocol request; the caller has checked that `x-amz-target` is present. */
export function classifyJson(info: AwsRequestInfo): AwsClassification {
  const target = headerValue(info.headers, 'x-amz-target') ?? '';
  const match = TARGET.exec(target);
  if (match === null) throw new AwsProtocolError('AWS_UNCLASSIFIED_REQUEST', `X-Amz-Target ${JSON.stringify(target.slice(0, 64))} is not <Service>.<Operation>`);
  if (amzJsonVersion(headerValue(info.headers, 'content-type')) === undefined) {
    throw new AwsProtocolError('AWS_UNCLASSIFIED_REQUEST', 'X-Amz-Target requires an application/x-amz-json-1.0 or -1.1 body');
  }
  const [, prefix = '', operation = ''] = match;
  const row = Object.hasOwn(JSON_TARGETS, prefix) ? JSON_TARGETS[prefix] : undefined;
  const service = iamPrefixOf(info.service);
  // The target must belong to the service the request is signed for (and sent to): no cross-service
  // targets, and a service with known prefixes accepts only those.
  if (row !== undefined ? row.iamPrefix !== service : KNOWN_SERVICES.has(service)) {
    throw new AwsProtocolError('AWS_UNCLASSIFIED_REQUEST', `X-Amz-Target ${prefix} does not belong to signing name ${info.service}`);
  }
  const body = typeof info.bodyJson === 'object' && info.bodyJson !== null && !Array.isArray(info.bodyJson) ? (info.bodyJson as Body) : undefined;
  const resources = body !== undefined && row?.resources !== undefined ? row.resources(body, info, operation) : ['*'];
  return { service, action: `${service}:${operation}`, resources, protocol: 'json' };
}
