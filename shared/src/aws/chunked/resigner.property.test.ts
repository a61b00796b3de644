// Property: re-signing an aws-chunked body keeps its bytes. For any data, any chunking and any way the body
// arrives in pieces: the output has the input's length and framing, decodes to the original data, does not
// depend on how the input was split, and its chunk (and trailer) signatures verify under the real key. A
// body whose data was altered is refused when the app's own signatures are checked; a broken framing is
// refused with a catalogued code, never with a crash.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz, refusedOr } from '@portcullis/shared/testing/fuzz';
import { crc32 } from 'node:zlib';
import { ChunkedResigner, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, type StreamingPayload } from './resigner.js';
import { chunkSignature, credentialScope, sha256Hex, trailerSignature, type StreamSigningContext } from '../sigv4/signing-key.js';

const AMZ_DATE = '20130524T000000Z';
const SCOPE = credentialScope('20130524', 'us-east-1', 's3');
const ctx = (key: string, seed: string): StreamSigningContext => ({ signingKey: Buffer.from(key.padEnd(32, '.')), amzDate: AMZ_DATE, scope: SCOPE, seedSignature: seed });
const APP = ctx('placeholder', 'a'.repeat(64));
const REAL = ctx('real-key', 'b'.repeat(64));

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}

/** The body an SDK writes for `data` cut into `sizes` (the rest in one more chunk). */
function appBody(payload: StreamingPayload, data: Buffer, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  let previous = APP.seedSignature;
  let offset = 0;
  const chunks: Buffer[] = [];
  for (const size of sizes) {
    if (offset >= data.length) break;
    chunks.push(data.subarray(offset, offset + size));
    offset += size;
  }
  if (offset < data.length) chunks.push(data.subarray(offset));
  const signed = payload !== STREAMING_UNSIGNED_TRAILER;
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const header = signed ? `${chunk.length.toString(16)};chunk-signature=${(previous = chunkSignature(APP, previous, sha256Hex(chunk)))}` : chunk.length.toString(16);
    parts.push(Buffer.from(`${header}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (payload === STREAMING_SIGNED) parts.push(Buffer.from('\r\n'));
  else {
    const line = `x-amz-checksum-crc32:${crc32Base64(data)}`;
    const sig = signed ? `x-amz-trailer-signature:${trailerSignature(APP, previous, sha256Hex(`${line}\n`))}\r\n` : '';
    parts.push(Buffer.from(`${line}\r\n${sig}\r\n`));
  }
  return Buffer.concat(parts);
}

/** Feeds `body` in pieces cut at `cuts` (fractions of its length); the output, or undefined when refused. */
function resign(payload: StreamingPayload, body: Buffer, cuts: readonly number[], verify: boolean): Buffer | undefined {
  const out: Buffer[] = [];
  const trailers = payload === STREAMING_SIGNED ? {} : { declaredTrailers: ['x-amz-checksum-crc32'] };
  const resigner = new ChunkedResigner(
    { payload, ...(payload === STREAMING_UNSIGNED_TRAILER ? {} : { signer: REAL }), ...(verify ? { verifier: APP } : {}), ...trailers, verifyChecksums: true, maxChunkBytes: 4096 },
    (piece) => out.push(Buffer.from(piece)),
  );
  const points = [...new Set(cuts.map((c) => Math.floor(c * body.length)))].sort((a, b) => a - b);
  return refusedOr(() => {
    let at = 0;
    for (const p of [...points, body.length]) {
      resigner.write(body.subarray(at, p));
      at = p;
    }
    resigner.end();
    return Buffer.concat(out);
  });
}

/** Decodes a re-signed body independently, checking each chunk signature under `key` (the real key). */
function decode(body: Buffer, signed: boolean, key: StreamSigningContext): Buffer {
  const data: Buffer[] = [];
  let previous = key.seedSignature;
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const line = body.toString('latin1', at, eol);
    const [hex = '', sig] = line.split(';chunk-signature=');
    const size = parseInt(hex, 16);
    const chunk = body.subarray(eol + 2, eol + 2 + size);
    if (signed) expect(sig).toBe((previous = chunkSignature(key, previous, sha256Hex(chunk))));
    data.push(chunk);
    at = eol + 2 + size + (size > 0 ? 2 : 0);
    if (size === 0) break;
  }
  const tail = body.toString('latin1', at);
  const trailerSig = /x-amz-trailer-signature:([0-9a-f]{64})/i.exec(tail)?.[1];
  if (trailerSig === undefined) return Buffer.concat(data);
  // The trailer signature covers the canonical form: lowercase name, `:`, value (the name may arrive in any case).
  const line = tail.split('\r\n')[0] ?? '';
  const colon = line.indexOf(':');
  expect(trailerSig).toBe(trailerSignature(key, previous, sha256Hex(`${line.slice(0, colon).toLowerCase()}:${line.slice(colon + 1).trim()}\n`)));
  return Buffer.concat(data);
}

const payloadArb = fc.constantFrom<StreamingPayload>(STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER);
const caseArb = fc.record({
  payload: payloadArb,
  data: fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  sizes: fc.array(fc.integer({ min: 1, max: 1200 }), { maxLength: 8 }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  cuts2: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
});

describe('the aws-chunked re-signer under fuzzing', () => {
  it('keeps the bytes and the framing, for any chunking and any split of the input, and signs with the real key', () => {
    fuzz(
      'aws-chunked-resign',
      caseArb,
      ({ payload, data, sizes, cuts, cuts2 }) => {
        const body = appBody(payload, data, sizes);
        const out = resign(payload, body, cuts, true);
        expect(out).toBeDefined();
        const bytes = out as Buffer;
        expect(bytes.length).toBe(body.length);
        expect(decode(bytes, payload !== STREAMING_UNSIGNED_TRAILER, REAL).equals(data)).toBe(true);
        expect(resign(payload, body, cuts2, false)?.equals(bytes)).toBe(true);
        if (payload === STREAMING_UNSIGNED_TRAILER) expect(bytes.equals(body)).toBe(true);
      },
      { runs: 400 },
    );
  });

  it('refuses a body with any one byte changed: a signature mismatch, a framing error, or the same data', () => {
    fuzz(
      'aws-chunked-mutated',
      fc.tuple(caseArb, fc.nat(), fc.integer({ min: 1, max: 255 })),
      ([{ payload, data, sizes, cuts }, where, xor]) => {
        const body = appBody(payload, data, sizes);
        const mutated = Buffer.from(body);
        const i = where % mutated.length;
        mutated[i] = (mutated[i] ?? 0) ^ xor;
        const out = resign(payload, mutated, cuts, true);
        if (out === undefined) return;
        // Accepted: only where the change does not alter what the upstream gets as data (e.g. hex case
        // of a size, a checksum of unsigned trailers that still matches is impossible), so data is intact.
        expect(decode(out, payload !== STREAMING_UNSIGNED_TRAILER, REAL).equals(data)).toBe(true);
      },
      { runs: 400 },
    );
  });

  // Found by `make fuzz` (seed 1320350745, path 36212): a trailer name whose case changed in transit is the
  // same trailer; it is accepted, and the re-signed trailer signature covers its canonical lowercase form.
  it('re-signs a trailer whose name arrives in another case over its canonical lowercase name', () => {
    const data = Buffer.from('payload');
    const body = Buffer.from(appBody(STREAMING_SIGNED_TRAILER, data, [7]).toString('latin1').replace('x-amz-checksum-crc32:', 'X-Amz-Checksum-CRC32:'), 'latin1');
    const out = resign(STREAMING_SIGNED_TRAILER, body, [0.5], true);
    expect(out?.toString('latin1')).toContain('X-Amz-Checksum-CRC32:');
    expect(decode(out ?? Buffer.alloc(0), true, REAL).equals(data)).toBe(true);
  });

  it('refuses framing junk with a catalogued code, never a crash; what it accepts keeps its length', () => {
    const token = fc.oneof(
      fc.constantFrom('0', '1', 'a', 'F', '10', 'ffffffffff', ';chunk-signature=', 'a'.repeat(64), '\r\n', '\r', '\n', 'x-amz-checksum-crc32:', 'AAAAAA==', 'x-amz-trailer-signature:', ':', ' '),
      fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    fuzz(
      'aws-chunked-junk',
      fc.tuple(payloadArb, fc.array(token, { maxLength: 30 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 })),
      ([payload, tokens, cuts]) => {
        const body = Buffer.from(tokens.join(''), 'latin1');
        const out = resign(payload, body, cuts, false);
        // Accepted junk must still be a complete body of the same length (only signatures change).
        if (out !== undefined) expect(out.length).toBe(body.length);
      },
      { runs: 1000 },
    );
  });
});
