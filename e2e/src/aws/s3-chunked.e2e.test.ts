// aws-chunked modes the SDKs do not pick on their own, built by hand as an app holding the placeholder
// key would, sent through the sidecar to MinIO, which checks every chunk signature and checksum.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { appContext, chunkedBody, sendRaw, signAsApp } from '@portcullis/sidecar/testing';
import { startS3World, type S3World } from './s3-setup.js';

const CHUNKS = [randomBytes(64 * 1024), randomBytes(64 * 1024), randomBytes(4321)];
const DATA = Buffer.concat(CHUNKS);

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}

describe('aws-chunked uploads through the sidecar to MinIO', () => {
  let s: S3World;

  beforeAll(async () => {
    s = await startS3World();
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });

  async function put(key: string, payload: string, extra: Record<string, string>, body: (headers: Record<string, string>) => Buffer): Promise<{ status: number; body: string }> {
    const path = `/data/${key}`;
    const base = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(DATA.length), ...extra };
    const headers = await signAsApp({ method: 'PUT', path, headers: base, payload });
    const bytes = body(headers);
    return sendRaw(s.url, { method: 'PUT', path, headers: { ...headers, 'content-length': String(bytes.length) }, body: bytes });
  }

  async function stored(key: string): Promise<Buffer | string> {
    try {
      const out = await s.root.send(new GetObjectCommand({ Bucket: 'data', Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      return (err as Error).name;
    }
  }

  it('re-chains STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunk signatures under the real key', async () => {
    const res = await put('chunked/signed.bin', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', {}, (h) => chunkedBody(CHUNKS, appContext(h)));
    expect(res).toMatchObject({ status: 200 });
    expect((await stored('chunked/signed.bin')).toString('hex')).toBe(DATA.toString('hex'));
  });

  it('re-signs the trailer of STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (CRC32)', async () => {
    const res = await put('chunked/signed-trailer.bin', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' }, (h) =>
      chunkedBody(CHUNKS, appContext(h), `x-amz-checksum-crc32:${crc32Base64(DATA)}`),
    );
    expect(res).toMatchObject({ status: 200 });
    const head = await s.root.send(new HeadObjectCommand({ Bucket: 'data', Key: 'chunked/signed-trailer.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).toBe(crc32Base64(DATA));
  });

  it('sends UNSIGNED-PAYLOAD uploads with the real signature', async () => {
    const headers = await signAsApp({ method: 'PUT', path: '/data/chunked/unsigned.bin', headers: {}, payload: 'UNSIGNED-PAYLOAD' });
    const res = await sendRaw(s.url, { method: 'PUT', path: '/data/chunked/unsigned.bin', headers: { ...headers, 'content-length': String(DATA.length) }, body: DATA });
    expect(res.status).toBe(200);
    expect((await stored('chunked/unsigned.bin')).toString('hex')).toBe(DATA.toString('hex'));
  });

  it.each([
    ['a corrupted size line', (b: Buffer) => Buffer.concat([Buffer.from('zz'), b.subarray(2)])],
    ['a chunk shorter than announced', (b: Buffer) => Buffer.concat([b.subarray(0, 70_000), b.subarray(70_100)])],
    ['smuggled bytes after the final chunk', (b: Buffer) => Buffer.concat([b, Buffer.from('PUT /data/evil HTTP/1.1\r\n\r\n')])],
  ])('fails closed on %s: 400, and MinIO stores nothing', async (_what, corrupt) => {
    const key = `chunked/malformed-${_what.replace(/\W+/g, '-')}.bin`;
    const res = await put(key, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', {}, (h) => corrupt(chunkedBody(CHUNKS, appContext(h))));
    expect(res.status).toBe(400);
    expect(res.body).toContain('AWS_MALFORMED_CHUNKED_BODY');
    expect(await stored(key)).toBe('NoSuchKey');
  });

  it('refuses a trailer checksum that does not match the data before MinIO completes the upload', async () => {
    const res = await put('chunked/bad-crc.bin', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' }, () =>
      chunkedBody(CHUNKS, undefined, `x-amz-checksum-crc32:${crc32Base64(Buffer.from('not the data'))}`),
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain('AWS_CHUNKED_CHECKSUM_MISMATCH');
    expect(await stored('chunked/bad-crc.bin')).toBe('NoSuchKey');
  });
});
