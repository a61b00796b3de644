// One row per AWS service, driven by the real AWS SDK v3 clients as the app: an allowed call (with the
// action and resource the sidecar must derive, and what the upstream answers) and a denied one.
// Covering a new service is one more row.
import { createHash } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EncryptCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import type { Reply } from './aws-upstream.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface SdkCall {
  readonly name: string;
  readonly run: (endpoint: string) => Promise<unknown>;
  readonly action: string;
  readonly resource: string;
  readonly reply?: Reply;
  /** What `run` resolves to (toMatchObject for objects, toEqual otherwise). */
  readonly expected?: unknown;
}

export interface SdkCase {
  readonly service: string;
  readonly allowed: SdkCall;
  readonly denied: SdkCall;
}

/** What every client is built with: the sidecar as endpoint, placeholder keys, no retries. */
export function clientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return { endpoint, region: REGION, credentials: { accessKeyId: PLACEHOLDER_CREDENTIAL, secretAccessKey: PLACEHOLDER_CREDENTIAL }, maxAttempts: 1 };
}

const json = (version: '1.0' | '1.1', body: unknown): Reply => ({ headers: { 'content-type': `application/x-amz-json-${version}` }, body: JSON.stringify(body) });
const xml = (body: string): Reply => ({ headers: { 'content-type': 'text/xml' }, body });
const arn = (service: string, resource: string): string => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/jobs`;
const TOPIC = arn('sns', 'alerts');
const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;

const s3 = (e: string): S3Client => new S3Client({ ...clientConfig(e), forcePathStyle: true });

export const SDK_CASES: readonly SdkCase[] = [
  {
    service: 's3',
    allowed: {
      name: 'GetObject of a key with space, + and unicode',
      run: (e) => s3(e).send(new GetObjectCommand({ Bucket: 'reports', Key: 'q1/a b+c é.txt' })).then((o) => o.Body?.transformToString()),
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::reports/q1/a b+c é.txt',
      reply: { headers: { 'content-type': 'text/plain', etag: '"e1"' }, body: 'quarterly' },
      expected: 'quarterly',
    },
    denied: { name: 'DeleteObject', run: (e) => s3(e).send(new DeleteObjectCommand({ Bucket: 'reports', Key: 'q1/x' })), action: 's3:DeleteObject', resource: 'arn:aws:s3:::reports/q1/x' },
  },
  {
    service: 's3-write',
    allowed: {
      name: 'PutObject',
      run: (e) => s3(e).send(new PutObjectCommand({ Bucket: 'uploads', Key: 'in/data.csv', Body: 'a,b\n1,2\n' })),
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::uploads/in/data.csv',
      reply: { headers: { etag: '"e2"' } },
    },
    denied: { name: 'PutObject elsewhere', run: (e) => s3(e).send(new PutObjectCommand({ Bucket: 'reports', Key: 'x', Body: 'x' })), action: 's3:PutObject', resource: 'arn:aws:s3:::reports/x' },
  },
  {
    service: 'dynamodb',
    allowed: {
      name: 'GetItem',
      run: (e) => new DynamoDBClient(clientConfig(e)).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: '1' } } })),
      action: 'dynamodb:GetItem',
      resource: arn('dynamodb', 'table/orders'),
      reply: json('1.0', { Item: { id: { S: '1' }, total: { N: '42' } } }),
      expected: { Item: { total: { N: '42' } } },
    },
    denied: { name: 'DeleteItem', run: (e) => new DynamoDBClient(clientConfig(e)).send(new DeleteItemCommand({ TableName: 'orders', Key: { id: { S: '1' } } })), action: 'dynamodb:DeleteItem', resource: arn('dynamodb', 'table/orders') },
  },
  {
    service: 'sqs',
    allowed: {
      name: 'SendMessage',
      run: (e) => new SQSClient(clientConfig(e)).send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'job-1' })),
      action: 'sqs:SendMessage',
      resource: arn('sqs', 'jobs'),
      reply: json('1.0', { MessageId: 'm-1', MD5OfMessageBody: createHash('md5').update('job-1').digest('hex') }),
      expected: { MessageId: 'm-1' },
    },
    denied: { name: 'DeleteQueue', run: (e) => new SQSClient(clientConfig(e)).send(new DeleteQueueCommand({ QueueUrl: QUEUE_URL })), action: 'sqs:DeleteQueue', resource: arn('sqs', 'jobs') },
  },
  {
    service: 'sns',
    allowed: {
      name: 'Publish',
      run: (e) => new SNSClient(clientConfig(e)).send(new PublishCommand({ TopicArn: TOPIC, Message: 'disk full' })),
      action: 'sns:Publish',
      resource: TOPIC,
      reply: xml('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-2</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>'),
      expected: { MessageId: 'm-2' },
    },
    denied: { name: 'DeleteTopic', run: (e) => new SNSClient(clientConfig(e)).send(new DeleteTopicCommand({ TopicArn: TOPIC })), action: 'sns:DeleteTopic', resource: TOPIC },
  },
  {
    service: 'secretsmanager',
    allowed: {
      name: 'GetSecretValue',
      run: (e) => new SecretsManagerClient(clientConfig(e)).send(new GetSecretValueCommand({ SecretId: 'db-password' })),
      action: 'secretsmanager:GetSecretValue',
      resource: arn('secretsmanager', 'secret:db-password'),
      reply: json('1.1', { ARN: arn('secretsmanager', 'secret:db-password-AbCdEf'), Name: 'db-password', SecretString: 'hunter2', VersionId: 'v1' }),
      expected: { SecretString: 'hunter2' },
    },
    denied: { name: 'DeleteSecret', run: (e) => new SecretsManagerClient(clientConfig(e)).send(new DeleteSecretCommand({ SecretId: 'db-password' })), action: 'secretsmanager:DeleteSecret', resource: arn('secretsmanager', 'secret:db-password') },
  },
  {
    service: 'kms',
    allowed: {
      name: 'Encrypt',
      run: (e) => new KMSClient(clientConfig(e)).send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: Buffer.from('pii') })).then((o) => Buffer.from(o.CiphertextBlob ?? []).toString()),
      action: 'kms:Encrypt',
      resource: arn('kms', 'alias/app'),
      reply: json('1.1', { CiphertextBlob: Buffer.from('sealed').toString('base64'), KeyId: arn('kms', 'key/k-1') }),
      expected: 'sealed',
    },
    denied: { name: 'ScheduleKeyDeletion', run: (e) => new KMSClient(clientConfig(e)).send(new ScheduleKeyDeletionCommand({ KeyId: 'alias/app' })), action: 'kms:ScheduleKeyDeletion', resource: arn('kms', 'alias/app') },
  },
  {
    service: 'sts',
    allowed: {
      name: 'GetCallerIdentity',
      run: (e) => new STSClient(clientConfig(e)).send(new GetCallerIdentityCommand({})),
      action: 'sts:GetCallerIdentity',
      resource: '*',
      reply: xml(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/app/s</Arn><UserId>AROA:s</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`),
      expected: { Account: ACCOUNT },
    },
    denied: { name: 'AssumeRole', run: (e) => new STSClient(clientConfig(e)).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'escalate' })), action: 'sts:AssumeRole', resource: ROLE },
  },
];
