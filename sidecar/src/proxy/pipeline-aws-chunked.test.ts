import { Agent } from 'node:http';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Crc32c } from '@aws-crypto/crc32c';
import { appContext, chunkedBody, sendRaw, signAsApp } from '../test-support/aws-app.js';
import { startAwsUpstream, type AwsUpstream } from '../test-support/aws-upstream.js';
import { startHarness, type Harness } from '../test-support/harness.js';
import { awsSource, policy } from '../test-support/resources.js';

const REAL = { id: 'AKIAREALSTATICKEY01', secret: 'real/static+secret/0001' };
const data = (size: number, fill: number): Buffer => Buffer.alloc(size, fill);
const CHUNKS = [data(65536, 0x61), data(1024, 0x62), data(7, 0x63)];
const ALL = Buffer.concat(CHUNKS);

function b64crc32(buf: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(buf) >>> 0);
  return out.toString('base64');
}

function b64crc32c(buf: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(new Crc32c().update(buf).digest() >>> 0);
  return out.toString('base64');
}

describe('aws-chunked uploads through an aws source (static keys)', () => {
  let upstream: AwsUpstream;
  let h: Harness;

  beforeAll(async () => {
    upstream = await startAwsUpstream({ keys: new Map([[REAL.id, { secretAccessKey: REAL.secret }]]), respond: () => ({ headers: { etag: '"x"' } }) });
    h = await startHarness({
      port: 18110,
      sources: [awsSource('s3', 18110, { endpoint: upstream.url, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'aws-keys' } } })],
      policies: [policy('uploader', [{ effect: 'Allow', source: 's3', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::uploads/*'] }])],
      secrets: { s3: { AWS_ACCESS_KEY_ID: REAL.id, AWS_SECRET_ACCESS_KEY: `${REAL.secret}\n` } },
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  /** Signs a PUT as the app for `payload` and sends `body(headers)`. */
  async function put(key: string, payload: string, extra: Record<string, string>, body: (headers: Record<string, string>) => Buffer): Promise<{ status: number; body: string }> {
    const base = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(ALL.length), ...extra };
    const headers = await signAsApp({ method: 'PUT', path: `/uploads/${key}`, headers: base, payload });
    const bytes = body(headers);
    return sendRaw(h.url, { method: 'PUT', path: `/uploads/${key}`, headers: { ...headers, 'content-length': String(bytes.length) }, body: bytes });
  }

  it('re-chains every chunk signature of STREAMING-AWS4-HMAC-SHA256-PAYLOAD under the real key', async () => {
    const res = await put('signed.bin', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', {}, (hd) => chunkedBody(CHUNKS, appContext(hd)));
    expect(res.status).toBe(200);
    const call = upstream.calls.at(-1);
    expect(call?.verdict).toMatchObject({ ok: true, request: { accessKeyId: REAL.id } });
    expect(call?.chunked).toMatchObject({ ok: true, chunks: 4 });
    expect(call?.body.equals(ALL)).toBe(true);
  });

  it('re-signs the trailer of STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER and keeps its checksum', async () => {
    const trailer = `x-amz-checksum-crc32:${b64crc32(ALL)}`;
    const res = await put('signed-trailer.bin', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' }, (hd) => chunkedBody(CHUNKS, appContext(hd), trailer));
    expect(res.status).toBe(200);
    expect(upstream.calls.at(-1)?.chunked).toMatchObject({ ok: true, trailers: { 'x-amz-checksum-crc32': b64crc32(ALL) } });
  });

  it.each([
    ['CRC32', 'x-amz-checksum-crc32', b64crc32(ALL)],
    ['CRC32C', 'x-amz-checksum-crc32c', b64crc32c(ALL)],
    ['CRC64NVME', 'x-amz-checksum-crc64nvme', 'AAAAAAAAAAA='],
  ])('passes STREAMING-UNSIGNED-PAYLOAD-TRAILER with a %s trailer through unchanged', async (_name, trailerName, value) => {
    const sent = chunkedBody(CHUNKS, undefined, `${trailerName}:${value}`);
    const res = await put(`unsigned-${trailerName}.bin`, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', { 'x-amz-trailer': trailerName }, () => sent);
    expect(res.status).toBe(200);
    const call = upstream.calls.at(-1);
    expect(call?.chunked).toMatchObject({ ok: true, trailers: { [trailerName]: value } });
    expect(call?.body.equals(ALL)).toBe(true);
  });

  it.each([
    ['a size line that is not hex', (b: Buffer) => Buffer.concat([Buffer.from('zz;'), b.subarray(3)])],
    ['a chunk shorter than announced', (b: Buffer) => Buffer.concat([b.subarray(0, 200), b.subarray(300)])],
    ['a second chunk shorter than announced, after the first was forwarded', (b: Buffer) => Buffer.concat([b.subarray(0, 65_700), b.subarray(65_710)])],
    ['bytes after the final chunk', (b: Buffer) => Buffer.concat([b, Buffer.from('GET /smuggled HTTP/1.1\r\n\r\n')])],
    ['a body cut off before the final chunk', (b: Buffer) => b.subarray(0, b.length - 120)],
  ])('fails closed on %s: 400 to the app, nothing complete upstream', async (_what, corrupt) => {
    const before = upstream.calls.length;
    const res = await put('malformed.bin', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', {}, (hd) => corrupt(chunkedBody(CHUNKS, appContext(hd))));
    expect(res.status).toBe(400);
    expect(res.body).toContain('<Code>InvalidRequest</Code>');
    expect(res.body).toContain('AWS_MALFORMED_CHUNKED_BODY');
    expect(upstream.calls.length).toBe(before);
  });

  it('does not read the rest of a refused body as the next request on a kept-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const path = '/uploads/keepalive.bin';
      const base = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(ALL.length) };
      const headers = await signAsApp({ method: 'PUT', path, headers: base, payload: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' });
      const bad = Buffer.concat([Buffer.from('zz'), chunkedBody(CHUNKS, appContext(headers)).subarray(2)]);
      const refused = await sendRaw(h.url, { method: 'PUT', path, headers: { ...headers, 'content-length': String(bad.length) }, body: bad, agent });
      expect(refused.status).toBe(400);
      expect(refused.headers.connection).toBe('close');
      const good = await signAsApp({ method: 'PUT', path, headers: {}, body: ALL });
      const next = await sendRaw(h.url, { method: 'PUT', path, headers: { ...good, 'content-length': String(ALL.length) }, body: ALL, agent });
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('refuses an unsigned-trailer upload whose CRC32 does not match the data, before it completes upstream', async () => {
    const before = upstream.calls.length;
    const sent = chunkedBody(CHUNKS, undefined, `x-amz-checksum-crc32:${b64crc32(Buffer.from('other'))}`);
    const res = await put('bad-crc.bin', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' }, () => sent);
    expect(res.status).toBe(400);
    expect(res.body).toContain('AWS_CHUNKED_CHECKSUM_MISMATCH');
    expect(upstream.calls.length).toBe(before);
  });

  it('answers Expect: 100-continue itself and forwards the upload', async () => {
    const headers = await signAsApp({ method: 'PUT', path: '/uploads/expect.bin', headers: { expect: '100-continue' }, body: ALL });
    const res = await sendRaw(h.url, { method: 'PUT', path: '/uploads/expect.bin', headers: { ...headers, 'content-length': String(ALL.length) }, body: ALL });
    expect(res.status).toBe(200);
    const call = upstream.calls.at(-1);
    expect(call?.verdict.ok).toBe(true);
    expect(call?.headers.expect).toBeUndefined();
    expect(call?.body.equals(ALL)).toBe(true);
  });

  it('denies an upload outside the allowed bucket before reading its body', async () => {
    const before = upstream.calls.length;
    const res = await sendRaw(h.url, {
      method: 'PUT',
      path: '/private/x.bin',
      headers: { ...(await signAsApp({ method: 'PUT', path: '/private/x.bin', headers: {}, payload: 'UNSIGNED-PAYLOAD' })), 'content-length': '3' },
      body: Buffer.from('abc'),
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>AccessDenied</Code>');
    expect(res.body).toContain('Portcullis denied s3:PutObject on arn:aws:s3:::private/x.bin');
    expect(upstream.calls.length).toBe(before);
  });
});
