// One row per AWS service for the moto suites: the same allowed and denied call made by the AWS SDK v3
// for JS, boto3 and the aws CLI. Covering a new service is one more row.
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, EncryptCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DeleteSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MotoWorld } from './moto-setup.js';

export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts: number;
}

export interface MotoCall {
  readonly action: string;
  /** AWS SDK v3 for JS; resolves to something the test can check. */
  readonly sdk: (cfg: ClientConfig, w: MotoWorld) => Promise<unknown>;
  /** A boto3 expression; `c(service)` makes a client, `w` holds queueUrl/topicArn/keyId. */
  readonly boto3: string;
  /** aws CLI arguments (allowed calls must exit 0; denied ones print AccessDenied). */
  readonly cli: (w: MotoWorld) => string[];
}

export interface MotoCase {
  readonly service: string;
  readonly allowed: MotoCall & { readonly expected: unknown };
  readonly denied: MotoCall;
}

const DECRYPT_ROUND_TRIP = async (cfg: ClientConfig): Promise<string> => {
  const kms = new KMSClient(cfg);
  const sealed = await kms.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: Buffer.from('pii') }));
  const opened = await kms.send(new DecryptCommand({ KeyId: 'alias/app', CiphertextBlob: sealed.CiphertextBlob }));
  return Buffer.from(opened.Plaintext ?? []).toString();
};

export const MOTO_CASES: readonly MotoCase[] = [
  {
    service: 'dynamodb',
    allowed: {
      action: 'dynamodb:GetItem',
      sdk: (cfg) => new DynamoDBClient(cfg).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } } })).then((o) => o.Item?.total?.N),
      boto3: 'c("dynamodb").get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]["total"]["N"]',
      cli: () => ['dynamodb', 'get-item', '--table-name', 'orders', '--key', '{"id":{"S":"o-1"}}', '--query', 'Item.total.N', '--output', 'text'],
      expected: '42',
    },
    denied: {
      action: 'dynamodb:DeleteTable',
      sdk: (cfg) => new DynamoDBClient(cfg).send(new DeleteTableCommand({ TableName: 'orders' })),
      boto3: 'c("dynamodb").delete_table(TableName="orders")',
      cli: () => ['dynamodb', 'delete-table', '--table-name', 'orders'],
    },
  },
  {
    service: 'sqs',
    allowed: {
      action: 'sqs:SendMessage',
      sdk: (cfg, w) => new SQSClient(cfg).send(new SendMessageCommand({ QueueUrl: w.queueUrl, MessageBody: 'job-1' })).then((o) => typeof o.MessageId),
      boto3: 'type(c("sqs").send_message(QueueUrl=w["queueUrl"], MessageBody="job-1")["MessageId"]).__name__.replace("str", "string")',
      // The aws CLI v1 sends sqs calls in us-east-1 to queue.amazonaws.com unless --endpoint-url is given
      // (its overridesslcommonname customization ignores AWS_ENDPOINT_URL), so it is passed explicitly.
      cli: (w) => ['--endpoint-url', w.url, 'sqs', 'send-message', '--queue-url', w.queueUrl, '--message-body', 'job-1'],
      expected: 'string',
    },
    denied: {
      action: 'sqs:DeleteQueue',
      sdk: (cfg, w) => new SQSClient(cfg).send(new DeleteQueueCommand({ QueueUrl: w.queueUrl })),
      boto3: 'c("sqs").delete_queue(QueueUrl=w["queueUrl"])',
      cli: (w) => ['--endpoint-url', w.url, 'sqs', 'delete-queue', '--queue-url', w.queueUrl],
    },
  },
  {
    service: 'sns',
    allowed: {
      action: 'sns:Publish',
      sdk: (cfg, w) => new SNSClient(cfg).send(new PublishCommand({ TopicArn: w.topicArn, Message: 'disk full' })).then((o) => typeof o.MessageId),
      boto3: 'type(c("sns").publish(TopicArn=w["topicArn"], Message="disk full")["MessageId"]).__name__.replace("str", "string")',
      cli: (w) => ['sns', 'publish', '--topic-arn', w.topicArn, '--message', 'disk full'],
      expected: 'string',
    },
    denied: {
      action: 'sns:DeleteTopic',
      sdk: (cfg, w) => new SNSClient(cfg).send(new DeleteTopicCommand({ TopicArn: w.topicArn })),
      boto3: 'c("sns").delete_topic(TopicArn=w["topicArn"])',
      cli: (w) => ['sns', 'delete-topic', '--topic-arn', w.topicArn],
    },
  },
  {
    service: 'secretsmanager',
    allowed: {
      action: 'secretsmanager:GetSecretValue',
      sdk: (cfg) => new SecretsManagerClient(cfg).send(new GetSecretValueCommand({ SecretId: 'db-password' })).then((o) => o.SecretString),
      boto3: 'c("secretsmanager").get_secret_value(SecretId="db-password")["SecretString"]',
      cli: () => ['secretsmanager', 'get-secret-value', '--secret-id', 'db-password', '--query', 'SecretString', '--output', 'text'],
      expected: 'hunter2',
    },
    denied: {
      action: 'secretsmanager:DeleteSecret',
      sdk: (cfg) => new SecretsManagerClient(cfg).send(new DeleteSecretCommand({ SecretId: 'db-password' })),
      boto3: 'c("secretsmanager").delete_secret(SecretId="db-password")',
      cli: () => ['secretsmanager', 'delete-secret', '--secret-id', 'db-password'],
    },
  },
  {
    service: 'kms',
    allowed: {
      action: 'kms:Encrypt',
      sdk: DECRYPT_ROUND_TRIP,
      boto3: 'c("kms").decrypt(KeyId="alias/app", CiphertextBlob=c("kms").encrypt(KeyId="alias/app", Plaintext=b"pii")["CiphertextBlob"])["Plaintext"].decode()',
      cli: () => ['kms', 'encrypt', '--key-id', 'alias/app', '--plaintext', 'cGlp'],
      expected: 'pii',
    },
    denied: {
      action: 'kms:ScheduleKeyDeletion',
      sdk: (cfg) => new KMSClient(cfg).send(new ScheduleKeyDeletionCommand({ KeyId: 'alias/app' })),
      boto3: 'c("kms").schedule_key_deletion(KeyId="alias/app")',
      cli: () => ['kms', 'schedule-key-deletion', '--key-id', 'alias/app'],
    },
  },
];
