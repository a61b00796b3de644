/**
 * Streaming re-signer for `aws-chunked` request bodies (S3 streaming uploads), as a pure push parser:
 * `write()` each piece of the body as it arrives, `end()` at the end of input; the re-signed bytes go to
 * the `emit` callback. No stream import: the node:stream Transform around it is the adapter
 * '@portcullis/shared/node-streams' (createChunkedResigner), so a Bun or web-streams runtime can wrap it too.
 *
 * Input and output have identical framing and length; only the signatures change:
 *   <hex-size>;chunk-signature=<64 hex>\r\n<data>\r\n ... 0;chunk-signature=<64 hex>\r\n[trailers]\r\n
 * Each chunk signature is recomputed under the real key, chained from the real seed signature; the trailer
 * signature likewise. `STREAMING-UNSIGNED-PAYLOAD-TRAILER` bodies pass through unchanged but are still
 * parsed, so framing errors fail closed there too.
 *
 * Memory: a signed chunk is held until its CRLF arrives (its signature precedes its data); nothing else is
 * buffered, and chunks above `maxChunkBytes` are refused. The final chunk and trailers are released only at
 * the end of input, so a body with trailing garbage never reaches the upstream complete. The first framing
 * error throws AWS_MALFORMED_CHUNKED_BODY from write()/end() and nothing more is emitted: the caller must
 * abort the upstream request and not write again.
 */
import { createHash, type Hash } from 'node:crypto';
import { checksumAlgorithmOf, createChecksum, type RunningChecksum } from './checksum.js';
import { ChunkSignatureChain } from '../sigv4/chunk-chain.js';
import { canonicalTrailers, malformedChunked, parseTrailerLine, TRAILER_SIGNATURE, validateTrailers, type TrailerLine } from './trailer.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { PortcullisError } from '../../errors/portcullis-error.js';
import { sha256Hex, type StreamSigningContext } from '../sigv4/signing-key.js';

export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export type StreamingPayload = typeof STREAMING_SIGNED | typeof STREAMING_SIGNED_TRAILER | typeof STREAMING_UNSIGNED_TRAILER;

export const DEFAULT_MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_SIZE_LINE_BYTES = 256;
const MAX_TRAILER_LINE_BYTES = 1024;
const CRLF = Buffer.from('\r\n', 'latin1');
const SIGNED_SIZE_LINE = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
const UNSIGNED_SIZE_LINE = /^([0-9a-fA-F]{1,16})$/;

export interface ChunkedResignerOptions {
  /** The request's x-amz-content-sha256 value. */
  readonly payload: StreamingPayload;
  /** The real signing context (from resign). Required for the signed payloads. */
  readonly signer?: StreamSigningContext;
  /** When set, incoming signatures are checked against this (placeholder-key) context first. */
  readonly verifier?: StreamSigningContext;
  readonly maxChunkBytes?: number;
  /** `x-amz-decoded-content-length`: the data bytes must add up to exactly this. */
  readonly decodedContentLength?: number;
  /** Lowercase trailer names from `x-amz-trailer`; the trailers must be exactly these. */
  readonly declaredTrailers?: readonly string[];
  /** Recompute crc32/crc32c/sha1/sha256 trailers over the data and refuse a mismatch. */
  readonly verifyChecksums?: boolean;
}

type State = 'size-line' | 'data' | 'data-crlf' | 'trailer' | 'done';

/** Receives the re-signed body, piece by piece, in order. */
export type EmitBytes = (piece: Buffer) => void;

export class ChunkedResigner {
  private state: State = 'size-line';
  private line: Buffer[] = [];
  private lineBytes = 0;
  private sizeText = '';
  private incomingSignature = '';
  private remaining = 0;
  private crlfSeen = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private hash: Hash | undefined;
  private decodedTotal = 0;
  private readonly chain: ChunkSignatureChain;
  private readonly signed: boolean;
  private readonly trailers: boolean;
  private readonly maxChunkBytes: number;
  private readonly checksums = new Map<string, RunningChecksum>();
  private finalSection: Buffer[] = [];
  private trailerLines: { raw: string; parsed: TrailerLine }[] = [];
  private leadingBlankSeen = false;

  constructor(
    private readonly options: ChunkedResignerOptions,
    private readonly emit: EmitBytes,
  ) {
    this.signed = options.payload !== STREAMING_UNSIGNED_TRAILER;
    this.trailers = options.payload !== STREAMING_SIGNED;
    if (this.signed && options.signer === undefined) throw new PortcullisError('INTERNAL', `${options.payload} needs a signer`);
    this.chain = new ChunkSignatureChain(options.signer, options.verifier);
    this.maxChunkBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    if (options.verifyChecksums === true) {
      for (const name of options.declaredTrailers ?? []) {
        const algorithm = checksumAlgorithmOf(name);
        const running = algorithm === undefined ? undefined : createChecksum(algorithm);
        if (running !== undefined) this.checksums.set(name, running);
      }
    }
  }

  /** Takes the next piece of the body; throws the first framing or signature error. */
  write(chunk: Buffer): void {
    this.consume(chunk);
  }

  /** End of input: releases the final chunk and trailers, or throws when the body ended early. */
  end(): void {
    if (this.state === 'trailer' && this.lineBytes === 0 && this.trailerLines.length > 0) {
      // Some writers end the body right after the last trailer line, without the closing blank line.
      this.finishTrailers(false);
    }
    if (this.state !== 'done') throw malformedChunked(`Body ended early (while reading ${this.state})`);
    for (const piece of this.finalSection) this.emit(piece);
    this.finalSection = [];
  }

  private consume(input: Buffer): void {
    let offset = 0;
    while (offset < input.length) {
      switch (this.state) {
        case 'size-line':
        case 'trailer':
          offset = this.readLine(input, offset);
          break;
        case 'data':
          offset = this.readData(input, offset);
          break;
        case 'data-crlf':
          offset = this.readDataCrlf(input, offset);
          break;
        case 'done':
          throw malformedChunked('Bytes after the final chunk');
      }
    }
  }

  private readLine(input: Buffer, offset: number): number {
    const limit = this.state === 'size-line' ? MAX_SIZE_LINE_BYTES : MAX_TRAILER_LINE_BYTES;
    const lf = input.indexOf(0x0a, offset);
    const end = lf < 0 ? input.length : lf + 1;
    this.lineBytes += end - offset;
    if (this.lineBytes > limit + 2) throw malformedChunked(`Line longer than ${limit} bytes`);
    this.line.push(input.subarray(offset, end));
    if (lf < 0) return end;
    const whole = Buffer.concat(this.line, this.lineBytes);
    this.line = [];
    this.lineBytes = 0;
    if (whole.length < 2 || whole[whole.length - 2] !== 0x0d) throw malformedChunked('Line does not end with CRLF');
    const text = whole.toString('latin1', 0, whole.length - 2);
    if (text.includes('\r')) throw malformedChunked('Stray CR inside a line');
    if (this.state === 'size-line') this.onSizeLine(text);
    else this.onTrailerLine(text);
    return end;
  }

  private onSizeLine(text: string): void {
    const match = (this.signed ? SIGNED_SIZE_LINE : UNSIGNED_SIZE_LINE).exec(text);
    if (match === null) throw malformedChunked(this.signed ? 'Chunk header is not <hex-size>;chunk-signature=<64 hex>' : 'Chunk header is not <hex-size>');
    const sizeText = match[1] ?? '';
    const significant = sizeText.replace(/^0+(?=.)/, '');
    const size = significant.length > 8 ? Infinity : parseInt(significant, 16);
    if (size > this.maxChunkBytes) throw malformedChunked(`Chunk of ${sizeText} (hex) bytes exceeds the ${this.maxChunkBytes}-byte limit`);
    this.sizeText = sizeText;
    this.incomingSignature = match[2] ?? '';
    this.remaining = size;
    this.hash = this.signed ? createHash('sha256') : undefined;
    if (size === 0) {
      this.onFinalChunk();
    } else {
      this.state = 'data';
      if (!this.signed) this.emit(Buffer.from(`${text}\r\n`, 'latin1'));
    }
  }

  private readData(input: Buffer, offset: number): number {
    const take = Math.min(this.remaining, input.length - offset);
    const piece = input.subarray(offset, offset + take);
    this.remaining -= take;
    this.decodedTotal += take;
    const declared = this.options.decodedContentLength;
    if (declared !== undefined && this.decodedTotal > declared) throw malformedChunked('Chunks carry more data than x-amz-decoded-content-length');
    this.hash?.update(piece);
    for (const running of this.checksums.values()) running.update(piece);
    if (this.signed) {
      this.held.push(piece);
      this.heldBytes += take;
    } else this.emit(piece);
    if (this.remaining === 0) {
      this.state = 'data-crlf';
      this.crlfSeen = 0;
    }
    return offset + take;
  }

  private readDataCrlf(input: Buffer, offset: number): number {
    let i = offset;
    while (i < input.length && this.crlfSeen < 2) {
      if (input[i] !== CRLF[this.crlfSeen]) throw malformedChunked('Chunk data is not followed by CRLF (wrong chunk length?)');
      this.crlfSeen++;
      i++;
    }
    if (this.crlfSeen === 2) this.onChunkComplete();
    return i;
  }

  private onChunkComplete(): void {
    if (this.signed) {
      const signature = this.chain.chunk(this.incomingSignature, this.hash?.digest('hex') ?? '');
      const header = Buffer.from(`${this.sizeText};chunk-signature=${signature}\r\n`, 'latin1');
      // One piece per chunk (its data is held until now anyway): a socket given several writes in one
      // tick copies them into one buffer (Bun's writev), so emitting header, data pieces and CRLF apart
      // cost the same copy plus a write per piece (ADR 38, bench/ANALYSIS.md finding 21).
      this.held.unshift(header);
      this.held.push(CRLF);
      this.emit(Buffer.concat(this.held, header.length + this.heldBytes + CRLF.length));
      this.held = [];
      this.heldBytes = 0;
    } else this.emit(CRLF);
    this.state = 'size-line';
  }

  private onFinalChunk(): void {
    const declared = this.options.decodedContentLength;
    if (declared !== undefined && this.decodedTotal !== declared) throw malformedChunked('Chunks carry less data than x-amz-decoded-content-length');
    const header = this.signed ? `${this.sizeText};chunk-signature=${this.chain.chunk(this.incomingSignature, sha256Hex(''))}\r\n` : `${this.sizeText}\r\n`;
    this.finalSection.push(Buffer.from(header, 'latin1'));
    this.state = 'trailer';
  }

  private onTrailerLine(text: string): void {
    if (text === '') {
      if (!this.trailers) return this.finishTrailers(true);
      if (this.trailerLines.length > 0) return this.finishTrailers(true);
      // Some writers put a blank line between the final chunk and the trailers; keep it, once.
      if (this.leadingBlankSeen) throw malformedChunked('Blank lines where trailers were expected');
      this.leadingBlankSeen = true;
      this.finalSection.push(CRLF);
      return;
    }
    if (!this.trailers) throw malformedChunked('Trailer after the final chunk of a payload without trailers');
    this.trailerLines.push({ raw: text, parsed: parseTrailerLine(text) });
  }

  private finishTrailers(closingBlankLine: boolean): void {
    if (this.trailers) this.emitTrailers();
    if (closingBlankLine) this.finalSection.push(CRLF);
    // The final section is released only at end of input, so a body with anything after it never completes upstream.
    this.state = 'done';
  }

  private emitTrailers(): void {
    const { options } = this;
    const { checksums, signature } = validateTrailers(
      this.trailerLines.map((l) => l.parsed),
      options.declaredTrailers === undefined ? { signed: this.signed } : { signed: this.signed, declared: options.declaredTrailers },
    );
    for (const line of checksums) {
      const expected = this.checksums.get(line.name)?.digestBase64();
      if (expected !== undefined && expected !== line.value) {
        throw new AwsProtocolError('AWS_CHUNKED_CHECKSUM_MISMATCH', `${line.name} trailer does not match the uploaded data`);
      }
    }
    const newSignature = signature === undefined ? '' : this.chain.trailer(signature, sha256Hex(canonicalTrailers(checksums)));
    for (const { raw, parsed } of this.trailerLines) {
      // Replace only the signature, keeping the line's bytes (and so the body's length) as sent.
      const at = signature === undefined || parsed.name !== TRAILER_SIGNATURE ? -1 : raw.lastIndexOf(signature);
      const out = at < 0 ? raw : `${raw.slice(0, at)}${newSignature}${raw.slice(at + 64)}`;
      this.finalSection.push(Buffer.from(`${out}\r\n`, 'latin1'));
    }
  }
}

/** True when an x-amz-content-sha256 value announces an aws-chunked body Portcullis can re-sign. */
export function isStreamingPayload(value: string | undefined): value is StreamingPayload {
  return value === STREAMING_SIGNED || value === STREAMING_SIGNED_TRAILER || value === STREAMING_UNSIGNED_TRAILER;
}
