// The AWS peers of the SigV4 e2e suites are real verifiers: MinIO and moto accept correctly signed
// requests and reject wrong ones, and the venv's boto3 and aws CLI run against them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type Credentials as STSCredentials,
} from '@aws-sdk/client-sts';
import { awsEnv, runVenv, startMinio, startMoto, type AwsCredentials, type Minio, type Moto } from '../support/aws-peers.js';
import { putSignedChunks, putUnsignedTrailer } from './chunked-upload.js';

// Hooks and tests get their own timeouts: a peer starts in seconds, more on a busy 2-core machine.
const START_MS = 60_000;
const TEST_MS = 60_000;

/** The error name (S3/STS error code) an SDK v3 call failed with, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  }
}

function credentialsOf(res: { Credentials?: STSCredentials | undefined }): AwsCredentials {
  const c = res.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('STS returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

describe('MinIO as the S3 peer', () => {
  let minio: Minio;
  let s3: S3Client;
  const bucket = `peers-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    minio = await startMinio();
    s3 = new S3Client(minio.clientConfig);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }, START_MS);
  afterAll(async () => {
    s3?.destroy();
    await minio?.stop();
  }, START_MS);

  it('accepts a streaming PutObject signed by SDK v3 with default settings (aws-chunked, CRC32 trailer)', async () => {
    let sent: Record<string, string> = {};
    s3.middlewareStack.add(
      (next) => (args) => {
        sent = { ...(args.request as { headers: Record<string, string> }).headers };
        return next(args);
      },
      { step: 'deserialize', name: 'captureSignedRequest', override: true },
    );
    const body = randomBytes(300 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed', Body: Readable.from([body]), ContentLength: body.length }));
    s3.middlewareStack.remove('captureSignedRequest');

    expect(sent).toMatchObject({
      'content-encoding': expect.stringContaining('aws-chunked'),
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  }, TEST_MS);

  it('rejects a request signed with a wrong secret (SignatureDoesNotMatch)', async () => {
    const wrong = new S3Client({ ...minio.clientConfig, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: 'not-the-secret' } });
    expect(await outcome(wrong.send(new PutObjectCommand({ Bucket: bucket, Key: 'forged', Body: 'x' })))).toBe('SignatureDoesNotMatch');
    wrong.destroy();
  }, TEST_MS);

  it('verifies aws-chunked chunk signatures: accepts a correct chain, rejects a forged chunk signature or altered chunk', async () => {
    const put = { ...minio, path: `/${bucket}/signed-chunks`, chunks: [randomBytes(64 * 1024), randomBytes(1000)] };
    expect((await putSignedChunks(put)).status).toBe(200);

    const forged = await putSignedChunks({ ...put, tamper: (p) => void (p.chunkSignatures[1] = '0'.repeat(64)) });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('SignatureDoesNotMatch');

    const altered = await putSignedChunks({ ...put, tamper: (p) => void p.chunks[0]!.fill(7, 0, 10) });
    expect(altered.status).toBe(403);
    expect(altered.body).toContain('SignatureDoesNotMatch');
  }, TEST_MS);

  it('verifies the trailing checksum of an unsigned-payload upload', async () => {
    const put = { ...minio, path: `/${bucket}/trailer`, chunks: [randomBytes(64 * 1024), randomBytes(5)] };
    expect((await putUnsignedTrailer(put)).status).toBe(200);

    const wrong = await putUnsignedTrailer({ ...put, tamper: (p) => void (p.crc32 = 'AAAAAA==') });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatch(/Checksum|BadDigest/i);
  }, TEST_MS);

  it('serves the aws CLI v1 from the venv (s3api list-buckets, s3 cp) and rejects it with a wrong secret', async () => {
    const env = awsEnv({ credentials: minio, region: minio.region, endpointUrl: minio.endpoint });
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-aws-cli-'));
    try {
      const file = join(dir, 'nine-mib.bin');
      writeFileSync(file, randomBytes(9 * 1024 * 1024)); // above the CLI's 8 MiB multipart threshold
      const cp = await runVenv('aws', ['s3', 'cp', file, `s3://${bucket}/cli/nine-mib.bin`, '--only-show-errors'], { env });
      expect(cp).toMatchObject({ code: 0, stderr: '' });

      const list = await runVenv('aws', ['s3api', 'list-buckets', '--output', 'json'], { env });
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as { Buckets: { Name: string }[] }).Buckets.map((b) => b.Name)).toContain(bucket);

      const forgedEnv = awsEnv({ credentials: { ...minio, secretAccessKey: 'wrong' }, region: minio.region, endpointUrl: minio.endpoint });
      const forged = await runVenv('aws', ['s3api', 'list-buckets'], { env: forgedEnv });
      expect(forged.code).not.toBe(0);
      expect(forged.stderr).toContain('SignatureDoesNotMatch');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, TEST_MS);
});

describe('moto as the peer for IAM, STS, DynamoDB and SQS (signature checking on)', () => {
  let moto: Moto;

  beforeAll(async () => {
    moto = await startMoto();
  }, START_MS);
  afterAll(async () => {
    await moto?.stop();
  }, START_MS);

  it("accepts an IAM user's keys and rejects a wrong secret or an unknown key", async () => {
    const user = await moto.createUserKeys({
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] },
    });
    const ddb = (credentials: AwsCredentials): DynamoDBClient => new DynamoDBClient(moto.clientConfig(credentials));

    const good = ddb(user);
    await good.send(
      new CreateTableCommand({
        TableName: 'peers',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await good.send(new ListTablesCommand({}))).TableNames).toContain('peers');

    expect(await outcome(ddb({ ...user, secretAccessKey: 'wrong' }).send(new ListTablesCommand({})))).toBe('SignatureDoesNotMatch');
    const unknown = { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' };
    expect(await outcome(ddb(unknown).send(new ListTablesCommand({})))).toBe('InvalidClientTokenId');
  }, TEST_MS);

  it("enforces the policy: the user's keys are denied what their policy does not allow", async () => {
    const user = await moto.createUserKeys({
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' }] },
    });
    const sqs = new SQSClient(moto.clientConfig(user));
    expect(await outcome(sqs.send(new ListQueuesCommand({})))).toBe('ok');
    expect(await outcome(sqs.send(new CreateQueueCommand({ QueueName: 'denied' })))).toBe('AccessDenied');
  }, TEST_MS);

  it('accepts AssumeRole temporary credentials for SQS within the role policy, and only with their session token', async () => {
    const role = await moto.createRole({
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] },
    });
    const user = await moto.createUserKeys({
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.roleArn }] },
    });
    const sts = new STSClient(moto.clientConfig(user));
    const temporary = credentialsOf(await sts.send(new AssumeRoleCommand({ RoleArn: role.roleArn, RoleSessionName: 'peers' })));

    const sqs = new SQSClient(moto.clientConfig(temporary));
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'assumed' }));
    expect(queue.QueueUrl).toContain('assumed');
    const dynamo = new DynamoDBClient(moto.clientConfig(temporary));
    expect(await outcome(dynamo.send(new ListTablesCommand({})))).toBe('AccessDenied');
    const noToken = new SQSClient(moto.clientConfig({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey }));
    expect(await outcome(noToken.send(new ListQueuesCommand({})))).toBe('InvalidClientTokenId');
    const wrongToken = new SQSClient(moto.clientConfig({ ...temporary, sessionToken: 'not-the-token' }));
    expect(await outcome(wrongToken.send(new ListQueuesCommand({})))).toBe('InvalidClientTokenId');
  }, TEST_MS);

  it('answers an unsigned AssumeRoleWithWebIdentity (as AWS does) with credentials that work for DynamoDB', async () => {
    const role = await moto.createRole({
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }] },
    });
    // No credentials: the SDK sends AssumeRoleWithWebIdentity unsigned. moto does not check the token.
    const sts = new STSClient({ endpoint: moto.endpoint, region: moto.region });
    const res = await sts.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: role.roleArn, RoleSessionName: 'pod', WebIdentityToken: 'a.projected.token' }),
    );
    const temporary = credentialsOf(res);
    const identity = await new STSClient(moto.clientConfig(temporary)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${moto.accountId}:assumed-role/${role.roleName}/pod`);
    expect(await outcome(new DynamoDBClient(moto.clientConfig(temporary)).send(new ListTablesCommand({})))).toBe('ok');
  }, TEST_MS);

  it('rejects an unsigned request with 403 MissingAuthenticationToken', async () => {
    const res = await fetch(`${moto.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('MissingAuthenticationToken');
  }, TEST_MS);

  it('runs boto3 from the venv against moto and MinIO', async () => {
    const minio = await startMinio();
    try {
      const user = await moto.createUserKeys();
      const script = `
import json, os, boto3
sts = boto3.client("sts", endpoint_url=os.environ["MOTO"])
s3 = boto3.client("s3", endpoint_url=os.environ["MINIO"], aws_access_key_id=os.environ["MINIO_KEY"],
                  aws_secret_access_key=os.environ["MINIO_SECRET"])
s3.create_bucket(Bucket="boto3")
s3.put_object(Bucket="boto3", Key="k", Body=b"hello")
print(json.dumps({"arn": sts.get_caller_identity()["Arn"], "body": s3.get_object(Bucket="boto3", Key="k")["Body"].read().decode()}))
`;
      const env = awsEnv({
        credentials: user,
        region: moto.region,
        extra: { MOTO: moto.endpoint, MINIO: minio.endpoint, MINIO_KEY: minio.accessKeyId, MINIO_SECRET: minio.secretAccessKey },
      });
      const run = await runVenv('python', ['-'], { env, input: script });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ arn: user.arn, body: 'hello' });
    } finally {
      await minio.stop();
    }
  }, TEST_MS);
});
