import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { envForSources } from './env.js';
import { allSources } from './testdata/fixtures.js';

const execFileAsync = promisify(execFile);

// The AWS SDK v3 for JS, in a child process whose environment is only the injected vars (as in the app
// container): each client stops at finalizeRequest and reports the host and port it would call.
const SCRIPT = `
import { S3Client, ListBucketsCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { SNSClient, ListTopicsCommand } from '@aws-sdk/client-sns';
const where = async (client, command) => {
  client.middlewareStack.add(() => async (args) => {
    const r = args.request;
    throw Object.assign(new Error('stop'), { target: r.protocol + '//' + r.hostname + (r.port ? ':' + r.port : '') });
  }, { step: 'finalizeRequest', priority: 'low' });
  return client.send(command).then(() => 'sent', (e) => e.target ?? String(e));
};
const region = 'eu-west-1';
console.log(JSON.stringify({
  s3: await where(new S3Client({ region }), new ListBucketsCommand({})),
  dynamodb: await where(new DynamoDBClient({ region }), new ListTablesCommand({})),
  sqs: await where(new SQSClient({ region }), new ListQueuesCommand({})),
  sns: await where(new SNSClient({ region }), new ListTopicsCommand({})),
}));
`;

async function resolvedEndpoints(names: readonly string[]): Promise<Record<string, string>> {
  const sources = allSources().filter((s) => names.includes(s.metadata.name ?? ''));
  const { vars, warnings } = envForSources(sources);
  expect(warnings).toEqual([]);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
  for (const v of vars) env[v.name] = v.value ?? '';
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: import.meta.dirname, env });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;
}

describe('the AWS SDK v3 resolves each service to the source the injected env names', () => {
  it('sends S3 to the s3-only source and DynamoDB and SQS to the tables source', async () => {
    expect(await resolvedEndpoints(['s3-only', 'tables'])).toMatchObject({
      s3: 'http://127.0.0.1:19010',
      dynamodb: 'http://127.0.0.1:19011',
      sqs: 'http://127.0.0.1:19011',
      // no source serves SNS and none serves everything: the SDK keeps AWS's own endpoint
      sns: 'https://sns.eu-west-1.amazonaws.com',
    });
  });

  it('prefers AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL and sends every other service to the default source', async () => {
    expect(await resolvedEndpoints(['dynamodb', 's3-only'])).toEqual({
      s3: 'http://127.0.0.1:19010',
      dynamodb: 'http://127.0.0.1:19001',
      sqs: 'http://127.0.0.1:19001',
      sns: 'http://127.0.0.1:19001',
    });
  });
});
