import { Transform, type TransformCallback } from 'node:stream';
import { ChunkedResigner, type ChunkedResignerOptions } from '../../aws/chunked/resigner.js';

/** The node:stream face of the pure aws-chunked re-signer: each input piece is written, output pushed. */
class ChunkedResignerTransform extends Transform {
  private readonly resigner: ChunkedResigner;

  constructor(options: ChunkedResignerOptions) {
    super();
    this.resigner = new ChunkedResigner(options, (piece) => this.push(piece));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.resigner.write(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.resigner.end();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

/**
 * Creates the Transform that re-signs (or, for unsigned trailers, validates and passes through) an
 * aws-chunked body. Pipe the app's request body through it into the upstream request with
 * `stream.pipeline`, and abort the upstream request when the pipeline fails (the first error destroys it).
 */
export function createChunkedResigner(options: ChunkedResignerOptions): Transform {
  return new ChunkedResignerTransform(options);
}
