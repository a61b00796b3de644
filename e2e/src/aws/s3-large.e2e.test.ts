// A 1 GiB upload through the sidecar as its own process (so its memory is measured alone), to MinIO:
// the body streams through the aws-chunked parser and the sidecar's resident memory does not grow with it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMinio, type Minio } from '../support/aws-peers.js';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { PLACEHOLDER } from './s3-setup.js';
import { credentialSource, egressPolicy, IDENTITY } from './sidecar.js';
import { testPort } from '../support/test-ports.js';

const MiB = 1024 * 1024;
const TOTAL = 1024 * MiB;

/** `total` bytes of generated data, 1 MiB at a time, never held whole. */
function generated(total: number): Readable {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(i * 2654435761 >>> 0, i);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      sent += MiB;
      this.push(block);
    },
  });
}

describe('a 1 GiB upload through the sidecar process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-large-'));
  let minio: Minio;
  let sidecar: SidecarProcess;
  let port = 0;

  beforeAll(async () => {
    minio = await startMinio();
    await new S3Client(minio.clientConfig).send(new CreateBucketCommand({ Bucket: 'big' }));
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'sources/s3'), { recursive: true });
    writeFileSync(join(dir, 'sources/s3/AWS_ACCESS_KEY_ID'), minio.accessKeyId);
    writeFileSync(join(dir, 'sources/s3/AWS_SECRET_ACCESS_KEY'), minio.secretAccessKey);
    for (let attempt = 0; attempt < 5; attempt++) {
      port = testPort();
      const docs = [
        credentialSource('s3', port, { endpoint: minio.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'minio' } } }),
        egressPolicy('big', [{ effect: 'Allow', source: 's3', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::big/*'] }]),
      ].map((r) => JSON.stringify({ apiVersion: 'portcullis.dev/v1alpha1', ...r }));
      writeFileSync(join(dir, 'config/resources.yaml'), docs.join('\n---\n'));
      sidecar = await startSidecarProcess([
        '--standalone', '--config', join(dir, 'config'), '--identity', `${IDENTITY.namespace}/${IDENTITY.serviceAccount}/${IDENTITY.pod}`,
        '--secrets-dir', join(dir, 'sources'), '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1',
      ]);
      for (let i = 0; i < 200 && !sidecar.stderr.some((l) => l.includes(`"port":${port}`)); i++) await new Promise((r) => setTimeout(r, 25));
      if (sidecar.stderr.some((l) => l.includes('listening for source'))) break;
      await sidecar.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await sidecar?.stop();
    await minio?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams it with memory that does not grow with the body, and MinIO verifies the result', async () => {
    const app = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: minio.region, forcePathStyle: true, credentials: PLACEHOLDER, maxAttempts: 1 });
    const put = async (key: string, total: number): Promise<number> => {
      const started = performance.now();
      await app.send(new PutObjectCommand({ Bucket: 'big', Key: key, Body: generated(total), ContentLength: total }));
      return (performance.now() - started) / 1000;
    };
    // Warm up with 512 MiB: buffers, pools and the heap settle, and V8 has gone round its collection
    // sawtooth several times (after 128 or 256 MiB the peak was sometimes still 115 MiB against a steady
    // ~155); then the 1 GiB upload must not move the peak much.
    const idle = await sidecar.memoryKiB();
    await put('warm-up.bin', 512 * MiB);
    const warm = await sidecar.memoryKiB();
    const seconds = await put('one-gib.bin', TOTAL);
    const after = await sidecar.memoryKiB();
    app.destroy();
    const head = await new S3Client(minio.clientConfig).send(new HeadObjectCommand({ Bucket: 'big', Key: 'one-gib.bin' }));
    expect(head.ContentLength).toBe(TOTAL);
    const mib = (kib: number): string => (kib / 1024).toFixed(0);
    process.stderr.write(`1 GiB upload through the sidecar: ${seconds.toFixed(1)} s; sidecar RSS idle ${mib(idle.current)} MiB, peak after 512 MiB ${mib(warm.peak)} MiB, peak after 1 GiB ${mib(after.peak)} MiB\n`);
    // The peak is the top of V8's collection sawtooth (~75-85 MiB of socket buffers above idle, bench/
    // ANALYSIS.md finding 12), so a longer upload may nudge it up a little; 48 MiB over the warm-up peak
    // still fails if even 10 % of the extra 512 MiB were kept.
    expect((after.peak - warm.peak) / 1024).toBeLessThan(48);
    expect(after.peak / 1024).toBeLessThan(320);
    const audit = sidecar.stdout.map((l) => JSON.parse(l) as { bytesIn: number; status: number }).at(-1);
    expect(audit).toMatchObject({ status: 200 });
    expect(audit?.bytesIn).toBeGreaterThan(TOTAL);
  }, 300_000);
});
