// moto (signature checking on) behind the sidecar: one aws source whose credentials come from STS
// AssumeRoleWithWebIdentity against moto itself, for a role whose policy moto enforces. The resources
// the app works on are made directly as moto's admin.
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startMoto, type Moto, type MotoRole } from '../support/aws-peers.js';
import { credentialSource, egressPolicy, startAwsSidecar, type AwsSidecar } from './sidecar.js';

export const STS_TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImUyZSJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXX0.e2e-signature';

export interface MotoWorld {
  readonly moto: Moto;
  readonly role: MotoRole;
  readonly sidecar: AwsSidecar;
  readonly url: string;
  readonly queueUrl: string;
  readonly topicArn: string;
  readonly keyId: string;
  stop(): Promise<void>;
}

/** The role's own policy (moto enforces it): everything the suites use, except sns:ListTopics. */
const ROLE_POLICY = {
  Version: '2012-10-17' as const,
  Statement: [
    { Effect: 'Allow' as const, Action: ['dynamodb:*', 'sqs:*', 'sns:*', 'secretsmanager:*', 'kms:*', 'sts:GetCallerIdentity'], Resource: '*' },
    { Effect: 'Deny' as const, Action: 'sns:ListTopics', Resource: '*' },
  ],
};

async function createResources(moto: Moto): Promise<{ queueUrl: string; topicArn: string; keyId: string }> {
  const cfg = moto.clientConfig();
  const ddb = new DynamoDBClient(cfg);
  await ddb.send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'o-1' }, total: { N: '42' } } }));
  const queueUrl = (await new SQSClient(cfg).send(new CreateQueueCommand({ QueueName: 'jobs' }))).QueueUrl ?? '';
  const topicArn = (await new SNSClient(cfg).send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn ?? '';
  await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'db-password', SecretString: 'hunter2' }));
  const kms = new KMSClient(cfg);
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: keyId }));
  return { queueUrl, topicArn, keyId };
}

export async function startMotoWorld(): Promise<MotoWorld> {
  const moto = await startMoto();
  const role = await moto.createRole({ roleName: 'portcullis-app', policy: ROLE_POLICY });
  const made = await createResources(moto);
  const arn = (service: string, resource: string): string => `arn:aws:${service}:${moto.region}:${moto.accountId}:${resource}`;
  const sidecar = await startAwsSidecar({
    resources: (port) => [
      credentialSource('aws', port, { endpoint: moto.endpoint, allowPlaintextEndpoint: true, webIdentity: { roleArn: role.roleArn, sessionDurationSeconds: 900 } }),
      egressPolicy('app', [
        { name: 'orders', effect: 'Allow', source: 'aws', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [arn('dynamodb', 'table/orders')] },
        { name: 'jobs', effect: 'Allow', source: 'aws', actions: ['sqs:SendMessage', 'sqs:ReceiveMessage'], resources: [arn('sqs', 'jobs')] },
        { name: 'alerts', effect: 'Allow', source: 'aws', actions: ['sns:Publish'], resources: [arn('sns', 'alerts')] },
        { name: 'secret', effect: 'Allow', source: 'aws', actions: ['secretsmanager:GetSecretValue'], resources: [arn('secretsmanager', 'secret:db-password*')] },
        { name: 'crypto', effect: 'Allow', source: 'aws', actions: ['kms:Encrypt', 'kms:Decrypt'], resources: [arn('kms', 'alias/app')] },
        { name: 'whoami', effect: 'Allow', source: 'aws', actions: ['sts:GetCallerIdentity'] },
        // Allowed here, denied by the role's own policy: moto must be the one to refuse it.
        { name: 'topics', effect: 'Allow', source: 'aws', actions: ['sns:ListTopics'] },
      ]),
    ],
    stsToken: STS_TOKEN,
  });
  return {
    moto,
    role,
    sidecar,
    url: sidecar.url('aws'),
    ...made,
    async stop() {
      await sidecar.stop();
      await moto.stop();
    },
  };
}
