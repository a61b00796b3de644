/**
 * Follows the frame headers of one direction of a WebSocket connection (RFC 6455 §5.2) without keeping
 * the payload: where frames begin and end (so the sidecar can add a close frame of its own without
 * cutting one in half) and the first close frame's status code (who closed the tunnel, and how, for the
 * audit line). It never alters or holds back bytes; a header it cannot read (a length over 2^53) stops
 * it, and from then on it reports no boundary. Pure: feed it the bytes in order.
 */
export class FrameScanner {
  /** The first close frame seen: its status code (undefined when it carried none). */
  close: { code: number | undefined } | undefined;
  private readonly header = Buffer.alloc(14);
  private headerLength = 0;
  private headerNeeded = 2;
  private remaining = 0;
  private broken = false;
  /** Collecting the status code of the first close frame: bytes wanted, the mask, and what arrived. */
  private codeBytes: number[] | undefined;
  private mask: Buffer | undefined;
  private maskIndex = 0;

  /** True between frames: a frame written now would not split one. */
  get atBoundary(): boolean {
    return !this.broken && this.headerLength === 0 && this.remaining === 0;
  }

  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.broken) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - at);
        if (this.codeBytes) this.collect(chunk, at, n);
        this.remaining -= n;
        at += n;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      this.header[this.headerLength++] = chunk[at++] as number;
      if (this.headerLength === 2) this.headerNeeded = headerSize(this.header);
      if (this.headerLength === this.headerNeeded) this.startFrame();
    }
  }

  private startFrame(): void {
    const h = this.header;
    const opcode = (h[0] as number) & 0x0f;
    const masked = ((h[1] as number) & 0x80) !== 0;
    const len7 = (h[1] as number) & 0x7f;
    let length: number;
    let offset = 2;
    if (len7 === 126) {
      length = h.readUInt16BE(2);
      offset = 4;
    } else if (len7 === 127) {
      const big = h.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.broken = true;
        return;
      }
      length = Number(big);
      offset = 10;
    } else {
      length = len7;
    }
    this.headerLength = 0;
    this.headerNeeded = 2;
    this.remaining = length;
    if (opcode === 0x8 && this.close === undefined) {
      this.codeBytes = [];
      this.mask = masked ? Buffer.from(h.subarray(offset, offset + 4)) : undefined;
      this.maskIndex = 0;
      if (length < 2) this.endFrame();
    }
  }

  private collect(chunk: Buffer, at: number, n: number): void {
    const bytes = this.codeBytes as number[];
    for (let i = 0; i < n && bytes.length < 2; i++) {
      const b = chunk[at + i] as number;
      bytes.push(this.mask ? b ^ (this.mask[this.maskIndex++ % 4] as number) : b);
    }
  }

  private endFrame(): void {
    if (!this.codeBytes) return;
    const [hi, lo] = this.codeBytes;
    this.close = { code: hi === undefined || lo === undefined ? undefined : hi * 256 + lo };
    this.codeBytes = undefined;
    this.mask = undefined;
  }
}

function headerSize(h: Buffer): number {
  const len7 = (h[1] as number) & 0x7f;
  const masked = ((h[1] as number) & 0x80) !== 0;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
}

/**
 * A close frame (RFC 6455 §5.5.1) with a status code and a short reason. Frames to the upstream are
 * masked (a client's frames must be, §5.3) with `mask`; frames to the app are not.
 */
export function closeFrame(code: number, reason: string, mask?: Buffer): Buffer {
  const text = Buffer.from(reason.slice(0, 120), 'utf8').subarray(0, 123);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  const head = Buffer.from([0x88, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([head, mask.subarray(0, 4), payload]);
}
