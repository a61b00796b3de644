import type { IncomingMessage } from 'node:http';
import { PortcullisError } from '@portcullis/shared';

/**
 * Reads a request body up to `maxBytes`; larger bodies fail with ADMISSION_BODY_TOO_LARGE and the rest
 * is not read (the request is destroyed). Plain listeners rather than `for await`: the async iterator
 * costs a generator, promises and a stream-finished watcher on every admission.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: Error | undefined): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      settle(tooLarge(maxBytes));
      req.destroy();
    };
    const onEnd = (): void => settle(undefined);
    const onError = (err: Error): void => settle(err);
    // The client went away mid-body; INTERNAL as any other failure it did not expect (logged, counted).
    const onClose = (): void => settle(new PortcullisError('INTERNAL', 'Premature close: the client closed the connection before the whole AdmissionReview arrived'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(maxBytes: number): PortcullisError {
  return new PortcullisError('ADMISSION_BODY_TOO_LARGE', `the AdmissionReview is larger than ${maxBytes} bytes; raise --max-request-bytes if pods this large are expected`);
}
