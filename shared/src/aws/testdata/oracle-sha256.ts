/**
 * Test oracle: a SHA-256 / HMAC-SHA-256 constructor in the shape @smithy/signature-v4 takes as its
 * `sha256` option (`new (secret?) => { update, digest, reset }`). Written for the oracle, deliberately
 * plain (no KeyObject caching), so that it shares nothing with the signer under test.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export class OracleSha256 {
  private readonly secret: Buffer | undefined;
  private state: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.state = this.start();
  }

  private start(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }

  update(data: Uint8Array): void {
    this.state.update(data);
  }

  digest(): Promise<Uint8Array> {
    const out = Uint8Array.from(this.state.digest());
    this.state = this.start();
    return Promise.resolve(out);
  }

  reset(): void {
    this.state = this.start();
  }
}

/** Hex SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex');
