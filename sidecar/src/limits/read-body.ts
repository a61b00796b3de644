import type { IncomingMessage } from 'node:http';
import { PortcullisError } from '@portcullis/shared';

/** The largest request body a budgeted call may have: it is read whole to find the model and max_tokens. */
export const BUDGETED_BODY_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Reads the request body of a budgeted call (a chat or messages request: JSON of a few kB to a few MB),
 * refusing one over `maxBytes` before reading the rest. The body is then forwarded from the buffer.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      reject(tooLarge(maxBytes));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(tooLarge(maxBytes));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(parts, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new PortcullisError('REQUEST_REJECTED', 'the app closed its connection before the request body was complete; nothing was sent upstream', { cause: err }));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(maxBytes: number): PortcullisError {
  return new PortcullisError('REQUEST_REJECTED', `a call counted against a token or cost budget may have a body of at most ${maxBytes} bytes; split the request`);
}
