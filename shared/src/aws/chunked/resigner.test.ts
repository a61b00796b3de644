import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { createChunkedResigner } from '../../adapters/node-streams/aws-chunked-transform.js';
import {
  ChunkedResigner,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  type ChunkedResignerOptions,
} from './resigner.js';
import { chunkSignature, credentialScope, deriveSigningKey, sha256Hex, type StreamSigningContext } from '../sigv4/signing-key.js';
import { loadVectors, type StreamingVectors } from '../testdata/load.js';

const v = loadVectors<StreamingVectors>('sigv4-streaming.json');
const data = Buffer.alloc(66560, v.fillByte);
const scope = credentialScope(v.amzDate.slice(0, 8), v.region, v.service);

function context(secret: string, seedSignature: string): StreamSigningContext {
  return { signingKey: deriveSigningKey(secret, v.amzDate.slice(0, 8), v.region, v.service), amzDate: v.amzDate, scope, seedSignature };
}

const REAL = (seed: string): StreamSigningContext => context(v.credentials.secretAccessKey, seed);
const PLACEHOLDER = (seed: string): StreamSigningContext => context('placeholder-secret', seed);

/** Builds a signed aws-chunked body the way an SDK does, for the given chunk sizes. */
function signedBody(ctx: StreamSigningContext, sizes: readonly number[], trailer?: { line: string; signature: (prev: string) => string }): Buffer {
  const parts: Buffer[] = [];
  let previous = ctx.seedSignature;
  let offset = 0;
  for (const size of sizes) {
    const chunk = data.subarray(offset, offset + size);
    offset += size;
    previous = chunkSignature(ctx, previous, sha256Hex(chunk));
    parts.push(Buffer.from(`${size.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (size > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailer === undefined) parts.push(Buffer.from('\r\n'));
  else parts.push(Buffer.from(`${trailer.line}\r\nx-amz-trailer-signature:${trailer.signature(previous)}\r\n\r\n`));
  return Buffer.concat(parts);
}

/** The AWS documentation body with the given chunk signatures (and optional trailer). */
function docBody(signatures: readonly string[], trailer?: { line: string; signature: string }): Buffer {
  const [a = '', b = '', c = ''] = signatures;
  const tail = trailer === undefined ? '\r\n' : `${trailer.line}\r\nx-amz-trailer-signature:${trailer.signature}\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${a}\r\n`),
    data.subarray(0, 65536),
    Buffer.from(`\r\n400;chunk-signature=${b}\r\n`),
    data.subarray(65536),
    Buffer.from(`\r\n0;chunk-signature=${c}\r\n${tail}`),
  ]);
}

/** Feeds `body` through the Transform in pieces of `pieceBytes`; resolves with the output or the error. */
async function run(options: ChunkedResignerOptions, body: Buffer, pieceBytes = 4093): Promise<{ out: Buffer; error?: Error & { code?: string } }> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceBytes) pieces.push(body.subarray(i, i + pieceBytes));
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      received.push(chunk);
      cb();
    },
  });
  try {
    await pipeline(Readable.from(pieces), createChunkedResigner(options), sink);
    return { out: Buffer.concat(received) };
  } catch (err) {
    return { out: Buffer.concat(received), error: err as Error & { code?: string } };
  }
}

const zeros = '0'.repeat(64);

describe('createChunkedResigner with STREAMING-AWS4-HMAC-SHA256-PAYLOAD', () => {
  it('reproduces the AWS documentation chunk signatures from a placeholder-signed body', async () => {
    const input = signedBody(PLACEHOLDER('f'.repeat(64)), v.chunkSizes);
    const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature), decodedContentLength: 66560 }, input);
    expect(error).toBeUndefined();
    expect(out.equals(docBody(v.signed.chunkSignatures))).toBe(true);
    expect(out.length).toBe(66824);
  });

  it('keeps the output byte-identical in length whatever the input piece size', async () => {
    const input = docBody([zeros, zeros, zeros]);
    for (const piece of [1, 2, 3, 85, 86, 87, 65536, 1 << 20]) {
      const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature) }, input, piece);
      expect(error).toBeUndefined();
      expect(out.equals(docBody(v.signed.chunkSignatures))).toBe(true);
    }
  });

  it('verifies the incoming chain against the placeholder key when asked', async () => {
    const seed = 'a'.repeat(64);
    const input = signedBody(PLACEHOLDER(seed), v.chunkSizes);
    const ok = await run({ payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature), verifier: PLACEHOLDER(seed) }, input);
    expect(ok.error).toBeUndefined();
    const forged = await run({ payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature), verifier: PLACEHOLDER(seed) }, docBody([zeros, zeros, zeros]));
    expect(forged.error?.code).toBe('AWS_CHUNK_SIGNATURE_MISMATCH');
    expect(forged.out.length).toBe(0);
  });

  it('does not forward a chunk whose data was tampered with when verifying', async () => {
    const seed = 'a'.repeat(64);
    const input = signedBody(PLACEHOLDER(seed), v.chunkSizes);
    input[200] = 0x62; // flip one data byte of the first chunk
    const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature), verifier: PLACEHOLDER(seed) }, input);
    expect(error?.code).toBe('AWS_CHUNK_SIGNATURE_MISMATCH');
    expect(out.length).toBe(0);
  });

  const malformed: readonly [string, Buffer][] = [
    ['a non-hex size', Buffer.from(`1g;chunk-signature=${zeros}\r\n`)],
    ['a missing chunk signature', Buffer.from('4\r\nabcd\r\n')],
    ['an uppercase signature', Buffer.from(`4;chunk-signature=${'A'.repeat(64)}\r\nabcd\r\n`)],
    ['a short signature', Buffer.from(`4;chunk-signature=${'0'.repeat(63)}\r\nabcd\r\n`)],
    ['a bare LF after the size line', Buffer.from(`4;chunk-signature=${zeros}\nabcd\r\n`)],
    ['data longer than its size', Buffer.from(`4;chunk-signature=${zeros}\r\nabcde\r\n0;chunk-signature=${zeros}\r\n\r\n`)],
    ['data shorter than its size', Buffer.from(`4;chunk-signature=${zeros}\r\nabc\r\n0;chunk-signature=${zeros}\r\n\r\n`)],
    ['a missing CRLF after data', Buffer.from(`4;chunk-signature=${zeros}\r\nabcd0;chunk-signature=${zeros}\r\n\r\n`)],
    ['garbage after the final chunk', Buffer.from(`0;chunk-signature=${zeros}\r\n\r\nGET / HTTP/1.1\r\n`)],
    ['a trailer on a payload without trailers', Buffer.from(`0;chunk-signature=${zeros}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`)],
    ['an oversize size line', Buffer.from(`${'0'.repeat(300)}4;chunk-signature=${zeros}\r\n`)],
    ['a size line that never ends', Buffer.from('f'.repeat(10_000))],
    ['a truncated body', Buffer.from(`4;chunk-signature=${zeros}\r\nab`)],
    ['an empty body', Buffer.alloc(0)],
    ['a chunk extension other than chunk-signature', Buffer.from(`4;ext=1;chunk-signature=${zeros}\r\nabcd\r\n`)],
    ['a negative size', Buffer.from(`-4;chunk-signature=${zeros}\r\n`)],
  ];
  for (const [what, body] of malformed) {
    it(`fails closed on ${what}`, async () => {
      const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros) }, body, 7);
      expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
      // Nothing of a malformed chunk is ever emitted.
      expect(out.length).toBe(0);
    });
  }

  it('refuses a chunk above the size cap before buffering it', async () => {
    const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros), maxChunkBytes: 1024 }, Buffer.from(`401;chunk-signature=${zeros}\r\n`));
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
    expect(out.length).toBe(0);
  });

  it('refuses a 2^64-ish size without overflowing', async () => {
    const { error } = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros) }, Buffer.from(`ffffffffffffffff;chunk-signature=${zeros}\r\n`));
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
  });

  it('refuses data that disagrees with x-amz-decoded-content-length', async () => {
    const input = docBody([zeros, zeros, zeros]);
    const more = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros), decodedContentLength: 66559 }, input);
    expect(more.error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
    const less = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros), decodedContentLength: 66561 }, input);
    expect(less.error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
  });

  it('emits complete earlier chunks before failing on a later one, and nothing after', async () => {
    const input = Buffer.concat([Buffer.from(`4;chunk-signature=${zeros}\r\nabcd\r\n`), Buffer.from(`zz;chunk-signature=${zeros}\r\nmore`)]);
    const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros) }, input, 1);
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
    expect(out.toString('latin1')).toMatch(/^4;chunk-signature=[0-9a-f]{64}\r\nabcd\r\n$/);
  });

  it('fails on a body without a final chunk after forwarding only the complete chunks', async () => {
    const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(zeros) }, Buffer.from(`4;chunk-signature=${zeros}\r\nabcd\r\n`));
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
    expect(out.toString('latin1')).toMatch(/^4;chunk-signature=[0-9a-f]{64}\r\nabcd\r\n$/);
  });

  it('never completes the upstream body when bytes follow the final chunk (no request smuggling)', async () => {
    const input = Buffer.concat([docBody([zeros, zeros, zeros]), Buffer.from('PUT /other HTTP/1.1\r\n')]);
    const { out, error } = await run({ payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature) }, input);
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
    // Everything but the 86-byte final chunk: the upstream body stays incomplete.
    expect(out.length).toBe(66824 - 86);
    expect(out.subarray(-2).toString('latin1')).toBe('\r\n');
  });

  it('needs a signer for signed payloads', () => {
    expect(() => createChunkedResigner({ payload: STREAMING_SIGNED })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('re-signs through the pure parser alone (write/end, no node:stream) exactly as through the Transform', async () => {
    const seed = 'a'.repeat(64);
    const options = { payload: STREAMING_SIGNED, signer: REAL(v.signed.seedSignature), verifier: PLACEHOLDER(seed) } as const;
    const body = signedBody(PLACEHOLDER(seed), v.chunkSizes);
    const pieces: Buffer[] = [];
    const parser = new ChunkedResigner(options, (piece) => pieces.push(piece));
    for (let i = 0; i < body.length; i += 1000) parser.write(body.subarray(i, i + 1000));
    parser.end();
    const viaStream = await run(options, body);
    expect(viaStream.error).toBeUndefined();
    expect(Buffer.concat(pieces).equals(viaStream.out)).toBe(true);
    expect(Buffer.concat(pieces).equals(body)).toBe(false);
  });

  it('emits each data chunk as one piece — header, data and CRLF — however small the pieces it arrived in', () => {
    const seed = 'a'.repeat(64);
    const body = signedBody(REAL(seed), v.chunkSizes);
    const pieces: Buffer[] = [];
    const parser = new ChunkedResigner({ payload: STREAMING_SIGNED, signer: REAL(seed) }, (piece) => pieces.push(piece));
    for (let i = 0; i < body.length; i += 1000) parser.write(body.subarray(i, i + 1000));
    parser.end();
    const dataChunks = v.chunkSizes.filter((size) => size > 0);
    // One piece per data chunk, then the final chunk's header and the closing CRLF.
    expect(pieces).toHaveLength(dataChunks.length + 2);
    for (const [i, size] of dataChunks.entries()) {
      const piece = pieces[i] as Buffer;
      expect(piece.toString('latin1', 0, piece.indexOf('\r\n'))).toMatch(new RegExp(`^${size.toString(16)};chunk-signature=[0-9a-f]{64}$`));
      expect(piece.subarray(-2).toString('latin1')).toBe('\r\n');
    }
    expect(Buffer.concat(pieces).equals(body)).toBe(true); // same key as the signer: the same signatures
  });
});

describe('createChunkedResigner with STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', () => {
  const t = v.signedTrailer;
  const docTrailer = { line: t.trailer, signature: t.trailerSignature };

  it('reproduces the AWS documentation chunk and trailer signatures', async () => {
    const input = docBody([zeros, zeros, zeros], { line: t.trailer, signature: zeros });
    const { out, error } = await run(
      { payload: STREAMING_SIGNED_TRAILER, signer: REAL(t.seedSignature), declaredTrailers: ['x-amz-checksum-crc32c'], verifyChecksums: true },
      input,
    );
    expect(error).toBeUndefined();
    expect(out.equals(docBody(t.chunkSignatures, docTrailer))).toBe(true);
  });

  it('verifies the documented body with the documented key', async () => {
    const { error } = await run({ payload: STREAMING_SIGNED_TRAILER, signer: REAL(t.seedSignature), verifier: REAL(t.seedSignature) }, docBody(t.chunkSignatures, docTrailer));
    expect(error).toBeUndefined();
  });

  it('accepts a blank line between the final chunk and the trailers, and a body ending after the last trailer', async () => {
    const [a = '', b = '', c = ''] = t.chunkSignatures;
    const input = Buffer.concat([
      Buffer.from(`10000;chunk-signature=${a}\r\n`),
      data.subarray(0, 65536),
      Buffer.from(`\r\n400;chunk-signature=${b}\r\n`),
      data.subarray(65536),
      Buffer.from(`\r\n0;chunk-signature=${c}\r\n\r\n${t.trailer}\r\nx-amz-trailer-signature:${t.trailerSignature}\r\n`),
    ]);
    const { out, error } = await run({ payload: STREAMING_SIGNED_TRAILER, signer: REAL(t.seedSignature), verifier: REAL(t.seedSignature) }, input);
    expect(error).toBeUndefined();
    expect(out.equals(input)).toBe(true);
  });

  it('refuses a checksum trailer that does not match the data', async () => {
    const input = docBody([zeros, zeros, zeros], { line: 'x-amz-checksum-crc32c:AAAAAA==', signature: zeros });
    const { error } = await run({ payload: STREAMING_SIGNED_TRAILER, signer: REAL(t.seedSignature), declaredTrailers: ['x-amz-checksum-crc32c'], verifyChecksums: true }, input);
    expect(error?.code).toBe('AWS_CHUNKED_CHECKSUM_MISMATCH');
  });

  it('refuses a trailer signature that does not verify', async () => {
    const { error } = await run({ payload: STREAMING_SIGNED_TRAILER, signer: REAL(t.seedSignature), verifier: REAL(t.seedSignature) }, docBody(t.chunkSignatures, { line: t.trailer, signature: zeros }));
    expect(error?.code).toBe('AWS_CHUNK_SIGNATURE_MISMATCH');
  });

  const badTrailers: readonly [string, string][] = [
    ['a missing trailer signature', `${'x-amz-checksum-crc32c:sOO8/Q=='}\r\n\r\n`],
    ['an undeclared trailer', `x-amz-checksum-sha1:sOO8/Q==\r\nx-amz-trailer-signature:${zeros}\r\n\r\n`],
    ['a non-checksum trailer', `x-evil:1\r\nx-amz-trailer-signature:${zeros}\r\n\r\n`],
    ['a trailer without a colon', `x-amz-checksum-crc32c sOO8/Q==\r\nx-amz-trailer-signature:${zeros}\r\n\r\n`],
    ['a duplicated trailer', `x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${zeros}\r\n\r\n`],
    ['a signature that is not last', `x-amz-trailer-signature:${zeros}\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n\r\n`],
    ['an oversize trailer line', `x-amz-checksum-crc32c:${'A'.repeat(2000)}\r\n\r\n`],
    ['bytes after the trailers', `x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${zeros}\r\n\r\nX`],
    ['no trailers at all', `\r\n`],
  ];
  for (const [what, tail] of badTrailers) {
    it(`fails closed on ${what}`, async () => {
      const input = Buffer.concat([Buffer.from(`0;chunk-signature=${zeros}\r\n`), Buffer.from(tail)]);
      const { out, error } = await run({ payload: STREAMING_SIGNED_TRAILER, signer: REAL(zeros), declaredTrailers: ['x-amz-checksum-crc32c'] }, input);
      expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
      expect(out.length).toBe(0);
    });
  }
});

describe('createChunkedResigner with STREAMING-UNSIGNED-PAYLOAD-TRAILER', () => {
  function unsignedBody(trailer: string): Buffer {
    return Buffer.concat([Buffer.from('10000\r\n'), data.subarray(0, 65536), Buffer.from('\r\n400\r\n'), data.subarray(65536), Buffer.from(`\r\n0\r\n${trailer}\r\n\r\n`)]);
  }

  it('passes a valid body through unchanged and checks crc32', async () => {
    const { crc32 } = await import('node:zlib');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    const input = unsignedBody(`x-amz-checksum-crc32:${crc.toString('base64')}`);
    const { out, error } = await run({ payload: STREAMING_UNSIGNED_TRAILER, declaredTrailers: ['x-amz-checksum-crc32'], verifyChecksums: true, decodedContentLength: 66560 }, input, 1000);
    expect(error).toBeUndefined();
    expect(out.equals(input)).toBe(true);
  });

  it('checks sha256 trailers', async () => {
    const good = unsignedBody(`x-amz-checksum-sha256:${sha256B64(data)}`);
    expect((await run({ payload: STREAMING_UNSIGNED_TRAILER, declaredTrailers: ['x-amz-checksum-sha256'], verifyChecksums: true }, good)).error).toBeUndefined();
    const bad = unsignedBody(`x-amz-checksum-sha256:${sha256B64(Buffer.from('x'))}`);
    expect((await run({ payload: STREAMING_UNSIGNED_TRAILER, declaredTrailers: ['x-amz-checksum-sha256'], verifyChecksums: true }, bad)).error?.code).toBe('AWS_CHUNKED_CHECKSUM_MISMATCH');
  });

  it('passes crc64nvme through without checking it', async () => {
    const input = unsignedBody('x-amz-checksum-crc64nvme:AAAAAAAAAAA=');
    const { out, error } = await run({ payload: STREAMING_UNSIGNED_TRAILER, declaredTrailers: ['x-amz-checksum-crc64nvme'], verifyChecksums: true }, input);
    expect(error).toBeUndefined();
    expect(out.equals(input)).toBe(true);
  });

  it('refuses a chunk signature on an unsigned payload', async () => {
    const { error } = await run({ payload: STREAMING_UNSIGNED_TRAILER }, Buffer.from(`4;chunk-signature=${zeros}\r\nabcd\r\n`));
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
  });

  it('refuses a trailer signature on an unsigned payload', async () => {
    const { error } = await run({ payload: STREAMING_UNSIGNED_TRAILER }, unsignedBody(`x-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:${zeros}`));
    expect(error?.code).toBe('AWS_MALFORMED_CHUNKED_BODY');
  });
});

function sha256B64(buf: Buffer): string {
  return Buffer.from(sha256Hex(buf), 'hex').toString('base64');
}
