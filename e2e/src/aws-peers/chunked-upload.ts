// A hand-built aws-chunked PutObject (SigV4 seed signature, then one signature per chunk, or unsigned
// chunks with a CRC32 trailer), written from the SigV4 documentation with node:crypto alone so that
// it checks MinIO independently of the project's own signer. Used to prove MinIO verifies both.
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { crc32 } from 'node:zlib';

export interface ChunkedPut {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `/bucket/key`, already URI-safe. */
  readonly path: string;
  readonly chunks: readonly Buffer[];
  /** Lets a test break one part after signing. */
  readonly tamper?: (parts: { chunkSignatures: string[]; chunks: Buffer[]; crc32: string }) => void;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

function send(put: ChunkedPut, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  const url = new URL(put.path, put.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function seed(put: ChunkedPut, payload: string, extra: Record<string, string>, now: Date) {
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${put.region}/s3/aws4_request`;
  const decoded = put.chunks.reduce((n, c) => n + c.length, 0);
  const headers: Record<string, string> = {
    host: new URL(put.endpoint).host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': payload,
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(decoded),
    ...extra,
  };
  const names = Object.keys(headers).sort();
  const canonical = ['PUT', put.path, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), payload].join('\n');
  const key = signingKey(put.secretAccessKey, date, put.region);
  const signature = hmac(key, ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${put.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return { headers, key, amzDate, scope, signature };
}

/** STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk signed, chained from the seed signature. */
export function putSignedChunks(put: ChunkedPut, now = new Date()): Promise<{ status: number; body: string }> {
  const chunks = [...put.chunks, Buffer.alloc(0)];
  const s = seed(put, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', {}, now);
  const chunkSignatures: string[] = [];
  let previous = s.signature;
  for (const chunk of chunks) {
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', s.amzDate, s.scope, previous, sha256(''), sha256(chunk)].join('\n');
    previous = hmac(s.key, toSign).toString('hex');
    chunkSignatures.push(previous);
  }
  const parts = { chunkSignatures, chunks: chunks.map((c) => Buffer.from(c)), crc32: '' };
  put.tamper?.(parts);
  const body = Buffer.concat(
    parts.chunks.flatMap((c, i) => [Buffer.from(`${c.length.toString(16)};chunk-signature=${parts.chunkSignatures[i]}\r\n`), c, Buffer.from('\r\n')]),
  );
  return send(put, { ...s.headers, 'content-length': String(body.length) }, body);
}

/** STREAMING-UNSIGNED-PAYLOAD-TRAILER: plain chunks, then `x-amz-checksum-crc32` as a trailer. */
export function putUnsignedTrailer(put: ChunkedPut, now = new Date()): Promise<{ status: number; body: string }> {
  const s = seed(put, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', { 'x-amz-trailer': 'x-amz-checksum-crc32' }, now);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(put.chunks.reduce((acc, c) => crc32(c, acc), 0));
  const parts = { chunkSignatures: [], chunks: put.chunks.map((c) => Buffer.from(c)), crc32: crc.toString('base64') };
  put.tamper?.(parts);
  const body = Buffer.concat([
    ...parts.chunks.flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]),
    Buffer.from(`0\r\nx-amz-checksum-crc32:${parts.crc32}\r\n\r\n`),
  ]);
  return send(put, { ...s.headers, 'content-length': String(body.length) }, body);
}
