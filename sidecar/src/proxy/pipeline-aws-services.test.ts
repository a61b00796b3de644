import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../test-support/aws-sdk-cases.js';
import { startAwsUpstream, type AwsUpstream } from '../test-support/aws-upstream.js';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { awsSource, policy } from '../test-support/resources.js';

const REAL = { id: 'AKIAREALS3ONLY000001', secret: 'real-s3-only-secret/1' };

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

describe('an aws source with spec.aws.services forwards only those services', () => {
  let upstream: AwsUpstream;
  let h: Harness;

  beforeAll(async () => {
    upstream = await startAwsUpstream({
      keys: new Map([[REAL.id, { secretAccessKey: REAL.secret }]]),
      respond: () => ({ headers: { 'content-type': 'text/plain' }, body: 'object' }),
    });
    h = await startHarness({
      port: 18171,
      sources: [
        awsSource('s3-only', 18171, {
          endpoint: upstream.url,
          allowPlaintextEndpoint: true,
          services: ['s3'],
          staticKeys: { secretRef: { name: 'k', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } },
        }),
      ],
      policies: [policy('all', [{ effect: 'Allow', source: 's3-only', actions: ['*'] }])],
      secrets: { 's3-only': { id: REAL.id, secret: REAL.secret } },
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('forwards a call signed for a listed service', async () => {
    const s3 = new S3Client({ ...clientConfig(h.url), forcePathStyle: true });
    const out = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'a.txt' }));
    expect(await out.Body?.transformToString()).toBe('object');
  });

  it('refuses a dynamodb call on the s3-only source with AWS_SERVICE_NOT_SERVED and signs nothing', async () => {
    const before = upstream.calls.length;
    const err = (await new DynamoDBClient(clientConfig(h.url)).send(new ListTablesCommand({})).catch((e: unknown) => e)) as SdkError;
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toContain('AWS_SERVICE_NOT_SERVED');
    expect(err.message).toContain('serves only s3');
    expect(upstream.calls).toHaveLength(before);
    await eventually(() => expect(h.audit.at(-1)).toMatchObject({ error: 'AWS_SERVICE_NOT_SERVED', status: 403 }));
  });
});
