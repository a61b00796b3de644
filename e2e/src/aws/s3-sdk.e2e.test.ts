// AWS SDK v3 for JS as the app, MinIO (which verifies signatures, chunk signatures and checksums) as S3.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startS3World, virtualHostedHandler, type S3World } from './s3-setup.js';

// A 1024-byte key (S3's maximum) in segments MinIO's file system can hold (255 bytes each).
const LONG = `long/${Array.from({ length: 4 }, (_, i) => String(i).repeat(254)).join('/')}`.slice(0, 1024);
export const ODD_KEYS = ['with space.txt', 'plus+sign.txt', 'literal%2Fslash', 'colon:at@equals=.txt', 'ünïcødé/日本語 ✓.txt', LONG];
/** Keys S3 stores as given but MinIO (file-system backed) refuses or normalizes. */
const MINIO_SPECIAL = ['double//slash', '/leading', 'trailing/'];

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'ok', (e: unknown) => (e as Error).name);
}

async function text(s: S3World, key: string): Promise<string> {
  const out = await s.root.send(new GetObjectCommand({ Bucket: 'data', Key: key }));
  return (await out.Body?.transformToString()) ?? '';
}

describe('S3 through the sidecar: AWS SDK v3 against MinIO', () => {
  let s: S3World;

  beforeAll(async () => {
    s = await startS3World();
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  it.each(ODD_KEYS.map((k) => [k.length > 40 ? `long/k… (${k.length} bytes)` : k, k]))('stores and reads key %s exactly', async (_label, key) => {
    const app = s.app();
    await app.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: `value of ${key}` }));
    expect(await text(s, key)).toBe(`value of ${key}`);
    const got = await app.send(new GetObjectCommand({ Bucket: 'data', Key: key }));
    expect(await got.Body?.transformToString()).toBe(`value of ${key}`);
    const listed = await app.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: key }));
    expect(listed.Contents?.map((c) => c.Key)).toContain(key);
  });

  it.each(MINIO_SPECIAL)('passes key %s to MinIO signed correctly: MinIO answers as it does to a direct call', async (key) => {
    const app = s.app();
    const direct = await outcome(s.root.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: 'x' })));
    const proxied = await outcome(app.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: 'x' })));
    expect(proxied).toBe(direct);
    expect(proxied).not.toMatch(/Signature|AccessDenied/);
  });

  it.each<[ChecksumAlgorithm | 'default']>([['default'], ['CRC32C'], ['CRC64NVME'], ['SHA256']])(
    'streams an upload with the %s checksum trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)',
    async (algorithm) => {
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const key = `stream/${algorithm}.bin`;
      const app = s.app();
      let payload = '';
      app.middlewareStack.add(
        (next) => (args) => {
          payload = (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] ?? '';
          return next(args);
        },
        { step: 'deserialize', name: 'capturePayloadMode' },
      );
      await app.send(
        new PutObjectCommand({ Bucket: 'data', Key: key, Body: Readable.from([body]), ContentLength: body.length, ...(algorithm === 'default' ? {} : { ChecksumAlgorithm: algorithm }) }),
      );
      expect(payload).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      const back = await s.root.send(new GetObjectCommand({ Bucket: 'data', Key: key }));
      expect(Buffer.from(await back.Body!.transformToByteArray()).equals(body)).toBe(true);
    },
  );

  it('uploads 12 MiB in parts (lib-storage multipart upload)', async () => {
    const body = randomBytes(12 * 1024 * 1024);
    await new Upload({ client: s.app(), params: { Bucket: 'data', Key: 'multi/part.bin', Body: Readable.from([body]) }, partSize: 5 * 1024 * 1024, queueSize: 2 }).done();
    const head = await s.root.send(new HeadObjectCommand({ Bucket: 'data', Key: 'multi/part.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toMatch(/-3"$/);
  });

  it('re-signs presigned GET and PUT URLs the app made with placeholder keys', async () => {
    const app = s.app();
    const put = await getSignedUrl(app, new PutObjectCommand({ Bucket: 'data', Key: 'presigned/up.txt' }), { expiresIn: 120 });
    expect((await fetch(put, { method: 'PUT', body: 'via presigned put' })).status).toBe(200);
    const get = await getSignedUrl(app, new GetObjectCommand({ Bucket: 'data', Key: 'presigned/up.txt' }), { expiresIn: 120 });
    const res = await fetch(get);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('via presigned put');
  });

  it('copies an object (read of the source, write of the target)', async () => {
    const app = s.app();
    await app.send(new PutObjectCommand({ Bucket: 'data', Key: 'copy/src name.txt', Body: 'copied' }));
    await app.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy/dst.txt', CopySource: `data/${encodeURIComponent('copy/src name.txt')}` }));
    expect(await text(s, 'copy/dst.txt')).toBe('copied');
  });

  it('works with virtual-hosted addressing (data.localhost)', async () => {
    const port = new URL(s.url).port;
    const app = s.app({ endpoint: `http://localhost:${port}`, forcePathStyle: false, requestHandler: virtualHostedHandler() });
    await app.send(new PutObjectCommand({ Bucket: 'data', Key: 'vhost/a b.txt', Body: 'virtual' }));
    expect(await text(s, 'vhost/a b.txt')).toBe('virtual');
    const listed = await app.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'vhost/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['vhost/a b.txt']);
  });

  it('deletes a batch only when every key is allowed', async () => {
    const app = s.app();
    for (const Key of ['tmp/1', 'tmp/2', 'keep/1']) await app.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x' }));
    const ok = await app.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'tmp/1' }, { Key: 'tmp/2' }] } }));
    expect(ok.Deleted?.map((d) => d.Key).sort()).toEqual(['tmp/1', 'tmp/2']);
    const denied = (await app.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'tmp/1' }, { Key: 'keep/1' }] } })).catch((e: unknown) => e)) as Error;
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain('Portcullis denied s3:DeleteObject on arn:aws:s3:::data/keep/1');
    expect(await text(s, 'keep/1')).toBe('x');
  });

  it.each([
    ['GetObject in a bucket no rule allows', new GetObjectCommand({ Bucket: 'private', Key: 'x' }), 's3:GetObject on arn:aws:s3:::private/x (EgressPolicy team-a/s3-app: no rule allows it)'],
    ['PutObject under a Deny rule', new PutObjectCommand({ Bucket: 'data', Key: 'secret/x', Body: 'x' }), 's3:PutObject on arn:aws:s3:::data/secret/x (EgressPolicy team-a/s3-app: denied by rule "no-secrets")'],
  ])('denies %s with AccessDenied naming action, resource and policy', async (_what, command, message) => {
    const err = (await s.app().send(command).catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode: number } };
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toBe(`Portcullis denied ${message}`);
  });

  it('wrote audit lines naming the action and resources, and never the real keys', () => {
    const put = s.sidecar.audit.find((a) => a.aws?.action === 's3:PutObject' && a.status === 200);
    expect(put).toMatchObject({ source: 's3', workload: { pod: 'agent-7f9c' }, aws: { service: 's3', region: 'us-east-1' } });
    expect(s.sidecar.output()).not.toContain(s.minio.secretAccessKey);
  });
});
