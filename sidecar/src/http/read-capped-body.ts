import type { IncomingMessage } from 'node:http';
import { PortcullisError } from '@portcullis/shared';

/**
 * Reads a request body whole, refusing more than `maxBytes` with `tooLarge()` — up front when the declared
 * Content-Length says so, else as soon as the bytes that arrived exceed it, before reading the rest. An
 * app that goes away mid-body gets REQUEST_REJECTED. Used where a body must be read before forwarding
 * (AWS calls classified or signed from their body, budgeted LLM calls sized from theirs).
 */
export function readCappedBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
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
