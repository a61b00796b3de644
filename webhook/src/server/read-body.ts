import type { IncomingMessage } from 'node:http';
import { WebhookError } from '../errors.js';

/** Reads a request body up to `maxBytes`; larger bodies fail with ADMISSION_BODY_TOO_LARGE. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(maxBytes: number): WebhookError {
  return new WebhookError('ADMISSION_BODY_TOO_LARGE', `the AdmissionReview is larger than ${maxBytes} bytes; raise --max-request-bytes if pods this large are expected`);
}
