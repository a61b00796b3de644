// Checks an aws-chunked body the way S3 does: every chunk signature chained from the seed under the real
// key, the trailer signature, and the decoded length. Independent of the re-signer under test.
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { VerifiedRequest } from './sigv4-verify.js';

const EMPTY = createHash('sha256').update('').digest('hex');

export interface ChunkedCheck {
  readonly ok: boolean;
  readonly reason?: string;
  readonly data: Buffer;
  readonly trailers: Record<string, string>;
  readonly chunks: number;
}

function sign(req: VerifiedRequest, kind: 'PAYLOAD' | 'TRAILER', previous: string, tail: string): string {
  const lines = kind === 'PAYLOAD' ? [previous, EMPTY, tail] : [previous, tail];
  return createHmac('sha256', req.signingKey).update([`AWS4-HMAC-SHA256-${kind}`, req.amzDate, req.scope, ...lines].join('\n')).digest('hex');
}

/** Parses and verifies a whole aws-chunked body. `signed` false for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
export function verifyChunkedBody(body: Buffer, req: VerifiedRequest, signed: boolean): ChunkedCheck {
  let offset = 0;
  let previous = req.signature;
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let chunks = 0;
  const fail = (reason: string): ChunkedCheck => ({ ok: false, reason, data: Buffer.concat(parts), trailers, chunks });
  for (;;) {
    const eol = body.indexOf('\r\n', offset);
    if (eol < 0) return fail('no chunk header');
    const line = body.toString('latin1', offset, eol);
    const m = signed ? /^([0-9a-f]+);chunk-signature=([0-9a-f]{64})$/i.exec(line) : /^([0-9a-f]+)$/i.exec(line);
    if (!m) return fail(`bad chunk header ${JSON.stringify(line)}`);
    const size = parseInt(m[1] ?? '', 16);
    const data = body.subarray(eol + 2, eol + 2 + size);
    if (signed) {
      const expected = sign(req, 'PAYLOAD', previous, createHash('sha256').update(data).digest('hex'));
      if (expected !== m[2]) return fail(`chunk ${chunks} signature mismatch`);
      previous = expected;
    }
    chunks++;
    offset = eol + 2 + size;
    if (size === 0) break;
    parts.push(data);
    if (body.toString('latin1', offset, offset + 2) !== '\r\n') return fail('chunk data not followed by CRLF');
    offset += 2;
  }
  const rest = body.toString('latin1', offset).split('\r\n').filter((l) => l !== '');
  let canonical = '';
  for (const line of rest) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      if (sign(req, 'TRAILER', previous, createHash('sha256').update(canonical).digest('hex')) !== value) return fail('trailer signature mismatch');
    } else {
      canonical += `${name}:${value}\n`;
    }
    trailers[name] = value;
  }
  const data = Buffer.concat(parts);
  const crc = trailers['x-amz-checksum-crc32'];
  if (crc !== undefined) {
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(crc32(data) >>> 0);
    if (expected.toString('base64') !== crc) return { ok: false, reason: 'crc32 trailer mismatch', data, trailers, chunks };
  }
  return { ok: true, data, trailers, chunks };
}
