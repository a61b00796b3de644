import { describe, expect, it } from '@jest/globals';
import { chunkedPutObject } from './chunked.ts';
import { ChunkSignatureChecker, chainStartOf, type ChainStart } from './verify-chunks.ts';

const REAL = { accessKeyId: 'AKIABENCHREAL0000001', secretAccessKey: 'bench-real-secret-access-key' };
const PLACEHOLDER = { accessKeyId: 'portcullis-placeholder', secretAccessKey: 'portcullis-placeholder' };
const NOW = new Date('2026-12-07T03:00:00Z');

async function body(keys: typeof REAL, total: number, chunk: number): Promise<{ start: ChainStart; bytes: Buffer }> {
  const upload = await chunkedPutObject(keys, 9000, 'o', total, chunk, NOW);
  const start = chainStartOf(REAL, upload.headers);
  if (typeof start === 'string') throw new Error(start);
  return { start, bytes: Buffer.concat([...upload.chunks()]) };
}

function verdictOf(start: ChainStart, bytes: Buffer, pieceBytes = bytes.length, check?: (i: number) => boolean): ReturnType<ChunkSignatureChecker['finish']> {
  const checker = new ChunkSignatureChecker(start, check);
  for (let i = 0; i < bytes.length; i += pieceBytes) checker.push(bytes.subarray(i, i + pieceBytes));
  return checker.finish();
}

describe('the upstream verdict on aws-chunked chunk signatures', () => {
  it('accepts a body whose chunks were signed in a chain from the real key', async () => {
    const { start, bytes } = await body(REAL, 5000, 1024);
    expect(verdictOf(start, bytes)).toMatchObject({ verdict: 'valid', chunks: 6, checked: 6, decodedBytes: 5000 });
  });

  it('gives the same verdict however the body is split into reads', async () => {
    const { start, bytes } = await body(REAL, 3000, 1000);
    expect(verdictOf(start, bytes, 1)).toMatchObject({ verdict: 'valid', chunks: 4, decodedBytes: 3000 });
    expect(verdictOf(start, bytes, 77)).toMatchObject({ verdict: 'valid', chunks: 4, decodedBytes: 3000 });
  });

  it('refuses stale chunk signatures forwarded under a re-signed header (what aws-sigv4-proxy sends)', async () => {
    const stale = await body(PLACEHOLDER, 4096, 1024);
    const resigned = await body(REAL, 4096, 1024);
    // The header signature is the real key's; the chunks still carry the placeholder key's chain.
    const v = verdictOf(resigned.start, stale.bytes);
    expect(v.verdict).toBe('invalid');
    expect(v.firstInvalid).toBe(0);
  });

  it('names the first chunk whose data was changed after signing', async () => {
    const { start, bytes } = await body(REAL, 4096, 1024);
    const tampered = Buffer.from(bytes);
    const secondHeader = tampered.indexOf(';chunk-signature=', tampered.indexOf(';chunk-signature=') + 1);
    const dataStart = tampered.indexOf('\r\n', secondHeader) + 2;
    tampered[dataStart] = 0x63;
    expect(verdictOf(start, tampered)).toMatchObject({ verdict: 'invalid', firstInvalid: 1 });
  });

  it('checks only the sampled chunks but still follows every chunk of the chain', async () => {
    const { start, bytes } = await body(REAL, 8 * 1024, 1024);
    expect(verdictOf(start, bytes, 4096, (i) => i === 3)).toMatchObject({ verdict: 'valid', chunks: 9, checked: 2 });
  });

  it('reports a body cut before the final chunk as incomplete, not valid', async () => {
    const { start, bytes } = await body(REAL, 4096, 1024);
    expect(verdictOf(start, bytes.subarray(0, bytes.length - 90)).verdict).toBe('incomplete');
  });

  it('reports a body that is not aws-chunked framing as malformed', async () => {
    const { start } = await body(REAL, 1024, 1024);
    expect(verdictOf(start, Buffer.alloc(1024, 0x62)).verdict).toBe('malformed');
  });

  it('has no chain start without a SigV4 Authorization header', () => {
    expect(chainStartOf(REAL, { authorization: 'Bearer x' })).toBe('no SigV4 Authorization header');
  });
});
