// Limits on an aws source, seen by the AWS SDK: a rate-limited S3 call comes back as S3's own SlowDown
// (429, Retry-After), which the SDK classifies as throttling; a suspended pod gets AccessDenied.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { EgressPolicy } from '@portcullis/shared';
import { clientConfig } from '../test-support/aws-sdk-cases.js';
import { startAwsUpstream, type AwsUpstream } from '../test-support/aws-upstream.js';
import { startHarness, type Harness } from '../test-support/harness.js';
import { awsSource, policy } from '../test-support/resources.js';

const REAL = { id: 'AKIAREALLIMITS000001', secret: 'real-limits-secret/0001' };

describe('limits on an aws source, through the AWS SDK', () => {
  let upstream: AwsUpstream;
  let h: Harness;
  let s3: S3Client;

  beforeAll(async () => {
    upstream = await startAwsUpstream({ keys: new Map([[REAL.id, { secretAccessKey: REAL.secret }]]), respond: () => ({ headers: { 'content-type': 'text/plain' }, body: 'v' }) });
    const p = policy('s3', [{ name: 'data', effect: 'Allow', source: 's3', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::data/*'] }]);
    const limited: EgressPolicy = { ...p, spec: { ...p.spec, limits: [{ name: 'reads', source: 's3', requests: { count: 1, periodSeconds: 60, burst: 2 } }] } };
    h = await startHarness({
      port: 18121,
      sources: [awsSource('s3', 18121, { endpoint: upstream.url, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'k', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } } })],
      policies: [limited],
      secrets: { s3: { id: REAL.id, secret: REAL.secret } },
    });
    s3 = new S3Client({ ...clientConfig(h.url), forcePathStyle: true, maxAttempts: 1 });
  });
  afterAll(async () => {
    s3.destroy();
    await h.close();
    await upstream.close();
  });

  it('answers the call over the rate with SlowDown (429, Retry-After), which the SDK sees as throttling', async () => {
    await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'a' }));
    await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'b' }));
    const err = (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'c' })).then(() => undefined, (e: unknown) => e)) as S3ServiceException;
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err.name).toBe('SlowDown');
    expect(err.$metadata.httpStatusCode).toBe(429);
    expect(err.message).toContain('Portcullis RATE_LIMITED: rate limit "reads" of EgressPolicy team-a/s3');
    expect(err.$retryable?.throttling ?? ['SlowDown', 'ThrottlingException'].includes(err.name)).toBe(true);
  });

  it('answers a suspended pod with AccessDenied naming the suspension', async () => {
    h.setPodSuspension('the pod has the annotation portcullis.dev/suspend: "true"');
    try {
      const err = (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'a' })).then(() => undefined, (e: unknown) => e)) as S3ServiceException;
      expect(err.name).toBe('AccessDenied');
      expect(err.message).toContain('Portcullis suspended every call of this pod: the pod has the annotation portcullis.dev/suspend');
      expect(err.message).toContain('[SUSPENDED]');
    } finally {
      h.setPodSuspension(undefined);
    }
  });
});
