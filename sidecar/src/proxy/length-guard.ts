import { Transform, type TransformCallback } from 'node:stream';
import { PortcullisError } from '@portcullis/shared';

/**
 * Passes exactly `length` bytes and fails the stream otherwise: before a byte past the declared length is
 * pushed, or at the end when fewer arrived. Guards bodies an origin rewrites (aws-chunked re-signing) but
 * still sends with the Content-Length it declared — Node's own `strictContentLength` only checks at the
 * end, after the extra bytes have gone out.
 */
export class LengthGuard extends Transform {
  private seen = 0;

  constructor(
    private readonly length: number,
    private readonly source: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.length) return callback(this.mismatch('more'));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.seen === this.length ? null : this.mismatch('fewer'));
  }

  private mismatch(what: 'more' | 'fewer'): PortcullisError {
    return new PortcullisError(
      'INTERNAL',
      `the rewritten body of source "${this.source}" has ${what} bytes than the Content-Length it declared (${this.length}); the request was not completed upstream`,
    );
  }
}
