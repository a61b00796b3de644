/**
 * The two chunk-signature chains of a re-signed aws-chunked body: the app's (checked against the
 * placeholder key when a verifier is given) and ours (computed with the real key).
 */
import { timingSafeEqual } from 'node:crypto';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { chunkSignature, trailerSignature, type StreamSigningContext } from './signing-key.js';

function sameSignature(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}

export class ChunkSignatureChain {
  private previousOut: string;
  private previousIn: string;

  constructor(
    private readonly signer: StreamSigningContext | undefined,
    private readonly verifier: StreamSigningContext | undefined,
  ) {
    this.previousOut = signer?.seedSignature ?? '';
    this.previousIn = verifier?.seedSignature ?? '';
  }

  /** Checks the app's signature of a chunk (when verifying) and returns the real one ('' without a signer). */
  chunk(incoming: string, dataSha256: string): string {
    if (this.verifier !== undefined) {
      const expected = chunkSignature(this.verifier, this.previousIn, dataSha256);
      if (!sameSignature(expected, incoming)) throw new AwsProtocolError('AWS_CHUNK_SIGNATURE_MISMATCH', 'A chunk signature does not match the placeholder key');
      this.previousIn = expected;
    }
    if (this.signer === undefined) return '';
    this.previousOut = chunkSignature(this.signer, this.previousOut, dataSha256);
    return this.previousOut;
  }

  /** Same for the trailer signature, chained on the final chunk. */
  trailer(incoming: string, trailerSha256: string): string {
    if (this.verifier !== undefined && !sameSignature(trailerSignature(this.verifier, this.previousIn, trailerSha256), incoming)) {
      throw new AwsProtocolError('AWS_CHUNK_SIGNATURE_MISMATCH', 'The trailer signature does not match the placeholder key');
    }
    return this.signer === undefined ? '' : trailerSignature(this.signer, this.previousOut, trailerSha256);
  }
}
