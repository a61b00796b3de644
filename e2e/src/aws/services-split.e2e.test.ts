// One app, two aws sources split by spec.aws.services (issue 16): S3 on MinIO through one source,
// DynamoDB and SQS on moto through the other. The app is the AWS SDK v3 for JS in a child process whose
// environment is only what the webhook injects (sourceEnv: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_SQS and placeholder keys) plus AWS_REGION: no endpoint in code.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PLACEHOLDER_CREDENTIAL, sourceEnv, type CredentialSource } from '@portcullis/shared';
import { startMinio, startMoto, type Minio, type Moto } from '../support/aws-peers.js';
import { credentialSource, egressPolicy, startAwsSidecar, type AwsSidecar } from './sidecar.js';

const execFileAsync = promisify(execFile);

const APP = `
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
const s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
const object = await (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'report.txt' }))).Body.transformToString();
const item = (await new DynamoDBClient({ maxAttempts: 1 }).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } } }))).Item;
// ListQueues names no QueueUrl: the SDK would otherwise send to the URL's host (moto) instead of the env's endpoint.
const queues = (await new SQSClient({ maxAttempts: 1 }).send(new ListQueuesCommand({}))).QueueUrls ?? [];
console.log(JSON.stringify({ object, total: item?.total?.N, jobs: queues.some((u) => u.endsWith('/jobs')) }));
`;

describe('per-service endpoint variables reach two sources with the real AWS SDK', () => {
  let minio: Minio;
  let moto: Moto;
  let sidecar: AwsSidecar;
  let sources: CredentialSource[] = [];

  beforeAll(async () => {
    minio = await startMinio();
    moto = await startMoto();
    const root = new S3Client(minio.clientConfig);
    await root.send(new CreateBucketCommand({ Bucket: 'data' }));
    await root.send(new PutObjectCommand({ Bucket: 'data', Key: 'report.txt', Body: 'from minio' }));
    const ddb = new DynamoDBClient(moto.clientConfig());
    await ddb.send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'o-1' }, total: { N: '42' } } }));
    await new SQSClient(moto.clientConfig()).send(new CreateQueueCommand({ QueueName: 'jobs' }));
    // Static keys name no account: the sidecar classifies with account `*`.
    const arn = (service: string, resource: string): string => `arn:aws:${service}:${moto.region}:*:${resource}`;
    sidecar = await startAwsSidecar({
      resources: (port) => {
        const made = [
          credentialSource('files', port, { services: ['s3'], endpoint: minio.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'minio-root' } } }),
          credentialSource('tables', port + 1, { services: ['dynamodb', 'sqs'], endpoint: moto.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'moto-admin' } } }),
        ];
        sources = made.map((r) => ({ apiVersion: 'portcullis.dev/v1alpha1', ...r, metadata: { ...r.metadata, namespace: 'team-a' } }) as unknown as CredentialSource);
        return [
          ...made,
          egressPolicy('split', [
            { name: 'files', effect: 'Allow', source: 'files', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::data/*'] },
            { name: 'orders', effect: 'Allow', source: 'tables', actions: ['dynamodb:GetItem'], resources: [arn('dynamodb', 'table/orders')] },
            { name: 'queues', effect: 'Allow', source: 'tables', actions: ['sqs:ListQueues'] },
          ]),
        ];
      },
      secrets: {
        files: { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey },
        tables: { AWS_ACCESS_KEY_ID: moto.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: moto.admin.secretAccessKey },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await sidecar?.stop();
    await moto?.stop();
    await minio?.stop();
  });

  it('sends S3 to the MinIO source and DynamoDB and SQS to the moto source, from the injected env alone', async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_REGION: moto.region };
    for (const cs of sources) for (const v of sourceEnv(cs)) env[v.name] = v.value;
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_ENDPOINT_URL')).sort()).toEqual(['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SQS']);
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', APP], { cwd: import.meta.dirname, env });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ object: 'from minio', total: '42', jobs: true });
    const bySource = sidecar.audit.map((a) => [a.source, a.aws?.['action']]);
    expect(bySource).toEqual(expect.arrayContaining([['files', 's3:GetObject'], ['tables', 'dynamodb:GetItem'], ['tables', 'sqs:ListQueues']]));
  });

  it('refuses a DynamoDB call sent to the S3-only source with AWS_SERVICE_NOT_SERVED', async () => {
    const client = new DynamoDBClient({ endpoint: sidecar.url('files'), region: moto.region, maxAttempts: 1, credentials: { accessKeyId: PLACEHOLDER_CREDENTIAL, secretAccessKey: PLACEHOLDER_CREDENTIAL } });
    const err = (await client.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } } })).catch((e: unknown) => e)) as Error & { $metadata?: { httpStatusCode?: number } };
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toContain('AWS_SERVICE_NOT_SERVED');
    // Audit lines arrive on the sidecar's stdout shortly after the answer.
    for (let i = 0; i < 50 && !sidecar.audit.some((a) => a.error === 'AWS_SERVICE_NOT_SERVED'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(sidecar.audit.find((a) => a.error === 'AWS_SERVICE_NOT_SERVED')).toMatchObject({ source: 'files', status: 403 });
  });
});
