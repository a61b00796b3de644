import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { closeFrame, FrameScanner } from './frame-scanner.js';

/** One frame as RFC 6455 §5.2 lays it out (masked with `mask` when given). */
function frame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  const n = payload.length;
  const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const head = Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | (len[0] as number), ...len.slice(1)]);
  if (!mask) return Buffer.concat([head, payload]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, body]);
}

const closePayload = (code: number, reason = ''): Buffer => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

describe('FrameScanner', () => {
  it('finds the status code of the first close frame, masked or not', () => {
    const s = new FrameScanner();
    s.write(frame(0x1, Buffer.from('hello')));
    expect(s.close).toBeUndefined();
    s.write(frame(0x8, closePayload(4001, 'bye'), Buffer.from([1, 2, 3, 4])));
    s.write(frame(0x8, closePayload(1000)));
    expect(s.close).toEqual({ code: 4001 });
    expect(s.atBoundary).toBe(true);
  });

  it('reports a close frame without a status code as such', () => {
    const s = new FrameScanner();
    s.write(frame(0x8, Buffer.alloc(0)));
    expect(s.close).toEqual({ code: undefined });
  });

  it('is not at a boundary inside a frame, header or payload', () => {
    const f = frame(0x2, Buffer.alloc(70_000, 1), Buffer.from([9, 9, 9, 9]));
    const s = new FrameScanner();
    s.write(f.subarray(0, 3));
    expect(s.atBoundary).toBe(false);
    s.write(f.subarray(3, 5000));
    expect(s.atBoundary).toBe(false);
    s.write(f.subarray(5000));
    expect(s.atBoundary).toBe(true);
  });

  it('stops at a length over 2^53 and never claims a boundary after it', () => {
    const s = new FrameScanner();
    s.write(Buffer.from([0x82, 127, 0xff, 0, 0, 0, 0, 0, 0, 0]));
    s.write(frame(0x8, closePayload(1000)));
    expect(s.atBoundary).toBe(false);
    expect(s.close).toBeUndefined();
  });

  it('property: however the bytes are split, boundaries fall exactly at frame ends and the first close code is found', () => {
    const frameArb = fc.record({
      opcode: fc.constantFrom(0x1, 0x2, 0x9, 0xa, 0x8),
      length: fc.oneof(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 65_530, max: 65_600 })),
      code: fc.integer({ min: 1000, max: 4999 }),
      mask: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 70_000 }), { maxLength: 12 }), (frames, cuts) => {
        const ends: number[] = [];
        let total = 0;
        let firstClose: number | undefined;
        let sawClose = false;
        const parts = frames.map((f) => {
          const payload = f.opcode === 0x8 ? closePayload(f.code, 'x'.repeat(Math.min(f.length, 100))) : Buffer.alloc(f.length, 5);
          if (f.opcode === 0x8 && !sawClose) {
            sawClose = true;
            firstClose = f.code;
          }
          const bytes = frame(f.opcode, payload, f.mask ? Buffer.from(f.mask) : undefined);
          total += bytes.length;
          ends.push(total);
          return bytes;
        });
        const all = Buffer.concat(parts);
        const s = new FrameScanner();
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        let at = 0;
        for (const p of [...points, all.length]) {
          s.write(all.subarray(at, p));
          at = p;
          expect(s.atBoundary).toBe(p === 0 || ends.includes(p));
        }
        expect(s.close?.code).toBe(firstClose);
      }),
      { numRuns: 300, seed: 16 },
    );
  });

  it('closeFrame builds a close frame the scanner reads back, masked towards the upstream', () => {
    const masked = closeFrame(1008, 'revoked', Buffer.from([7, 1, 2, 3]));
    expect(masked[1]).toBe(0x80 | 9);
    const s = new FrameScanner();
    s.write(masked);
    expect(s.close).toEqual({ code: 1008 });
    const plain = closeFrame(1001, 'going away');
    expect(plain.subarray(4).toString()).toBe('going away');
    const t = new FrameScanner();
    t.write(plain);
    expect(t.close).toEqual({ code: 1001 });
    expect(t.atBoundary).toBe(true);
  });
});
