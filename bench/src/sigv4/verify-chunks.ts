// The upstream's verdict on an aws-chunked body's chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
// each chunk is `<hex size>;chunk-signature=<sig>\r\n<data>\r\n`, the last one empty, and each signature is
// HMAC(signing key, "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n<previous signature>\n<sha256 of "">\n
// <sha256 of the data>"), chained from the header (seed) signature. A proxy that swaps the key must re-sign
// every chunk; one that forwards the client's chunks (aws-sigv4-proxy) fails here at the first chunk.
//
// Hashing every byte of a 1 GiB body would cost the load core ~0.6 s and skew the throughput measured
// with it, so the data hash is taken for a sample of chunks: the first 16, every 64th, and the final one.
// Each sampled link is checked against the signature presented on the chunk before it, so a forwarded
// (stale) chain fails at chunk 0 and a proxy cannot know which chunks are checked.
import { createHash, createHmac, createSecretKey, type Hash, type KeyObject } from 'node:crypto';
import type { AwsKeys } from './sign.ts';

export const STREAMING_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const MAX_HEADER_BYTES = 256;
const CHUNK_HEADER = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})\r$/;

export interface ChunkVerdict {
  /** valid: every checked link matched and the final chunk arrived; invalid: a link did not match. */
  readonly verdict: 'valid' | 'invalid' | 'malformed' | 'incomplete';
  readonly chunks: number;
  readonly checked: number;
  readonly decodedBytes: number;
  /** Index of the first chunk whose signature did not match (invalid only). */
  readonly firstInvalid?: number;
  readonly detail: string;
}

export interface ChainStart {
  readonly signingKey: KeyObject;
  readonly amzDate: string;
  /** <yyyymmdd>/<region>/<service>/aws4_request */
  readonly scope: string;
  /** The header signature the first chunk chains from. */
  readonly seed: string;
}

/** Which chunks get their data hashed and their signature checked. */
export const sampled = (index: number): boolean => index < 16 || index % 64 === 0;

export class ChunkSignatureChecker {
  private state: 'header' | 'data' | 'crlf' | 'final-crlf' | 'done' | 'malformed' = 'header';
  private header = '';
  private remaining = 0;
  private crlfSeen = 0;
  private hash: Hash | undefined;
  private presented = '';
  private previous: string;
  private index = 0;
  private checked = 0;
  private decoded = 0;
  private firstInvalid: number | undefined;
  private problem = '';
  private readonly start: ChainStart;
  private readonly check: (index: number) => boolean;

  constructor(start: ChainStart, check: (index: number) => boolean = sampled) {
    this.start = start;
    this.check = check;
    this.previous = start.seed;
  }

  push(buf: Buffer): void {
    let i = 0;
    while (i < buf.length && this.state !== 'malformed' && this.state !== 'done') {
      if (this.state === 'header') i = this.readHeader(buf, i);
      else if (this.state === 'data') i = this.readData(buf, i);
      else i = this.readCrlf(buf, i);
    }
    if (this.state === 'done' && i < buf.length) this.fail(`${buf.length - i} bytes after the final chunk`);
  }

  finish(): ChunkVerdict {
    const base = { chunks: this.index, checked: this.checked, decodedBytes: this.decoded };
    if (this.state === 'malformed') return { ...base, verdict: 'malformed', detail: this.problem };
    if (this.firstInvalid !== undefined) {
      return { ...base, verdict: 'invalid', firstInvalid: this.firstInvalid, detail: `chunk ${this.firstInvalid} signature does not match the chain from the header signature with the real key` };
    }
    if (this.state !== 'done') return { ...base, verdict: 'incomplete', detail: 'the body ended before the final (empty) chunk' };
    return { ...base, verdict: 'valid', detail: `${this.checked} of ${this.index} chunk signatures checked, all valid` };
  }

  private fail(problem: string): void {
    this.state = 'malformed';
    this.problem = problem;
  }

  private readHeader(buf: Buffer, from: number): number {
    const nl = buf.indexOf(0x0a, from);
    const end = nl < 0 ? buf.length : nl;
    this.header += buf.toString('latin1', from, end);
    if (this.header.length > MAX_HEADER_BYTES) {
      this.fail(`chunk ${this.index} header longer than ${MAX_HEADER_BYTES} bytes`);
      return buf.length;
    }
    if (nl < 0) return buf.length;
    const m = CHUNK_HEADER.exec(this.header);
    this.header = '';
    if (!m) {
      this.fail(`chunk ${this.index} header is not <hex>;chunk-signature=<64 hex>`);
      return buf.length;
    }
    this.remaining = parseInt(m[1] as string, 16);
    this.presented = m[2] as string;
    if (this.remaining === 0) {
      this.verify(EMPTY_SHA256);
      this.state = 'final-crlf';
    } else {
      this.hash = this.check(this.index) ? createHash('sha256') : undefined;
      this.state = 'data';
    }
    this.crlfSeen = 0;
    return nl + 1;
  }

  private readData(buf: Buffer, from: number): number {
    const n = Math.min(this.remaining, buf.length - from);
    if (this.hash) this.hash.update(buf.subarray(from, from + n));
    this.remaining -= n;
    this.decoded += n;
    if (this.remaining === 0) this.state = 'crlf';
    return from + n;
  }

  private readCrlf(buf: Buffer, from: number): number {
    const want = this.crlfSeen === 0 ? 0x0d : 0x0a;
    if (buf[from] !== want) {
      this.fail(`chunk ${this.index} is not followed by CRLF`);
      return buf.length;
    }
    if (++this.crlfSeen < 2) return from + 1;
    if (this.state === 'final-crlf') {
      this.index++;
      this.state = 'done';
      return from + 1;
    }
    if (this.hash) this.verify(this.hash.digest('hex'));
    this.hash = undefined;
    this.previous = this.presented;
    this.index++;
    this.state = 'header';
    return from + 1;
  }

  private verify(dataHash: string): void {
    const { signingKey, amzDate, scope } = this.start;
    const expected = createHmac('sha256', signingKey).update(`AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${this.previous}\n${EMPTY_SHA256}\n${dataHash}`).digest('hex');
    this.checked++;
    if (expected !== this.presented && this.firstInvalid === undefined) this.firstInvalid = this.index;
  }
}

const CREDENTIAL = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=([0-9a-f]{64})/;

/** The chain start for a request's aws-chunked body under `keys`, or why there is none. */
export function chainStartOf(keys: AwsKeys, headers: Record<string, string | string[] | undefined>): ChainStart | string {
  const m = CREDENTIAL.exec(String(headers.authorization ?? ''));
  if (!m) return 'no SigV4 Authorization header';
  const [, day, region, service, seed] = m as unknown as [string, string, string, string, string];
  const amzDate = String(headers['x-amz-date'] ?? '');
  const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const signingKey = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${keys.secretAccessKey}`, day), region), service), 'aws4_request'));
  return { signingKey, amzDate, scope: `${day}/${region}/${service}/aws4_request`, seed };
}
