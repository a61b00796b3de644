import type { IncomingMessage } from 'node:http';
import { PortcullisError } from '@portcullis/shared';
import { readCappedBody } from '../http/read-capped-body.js';

/** The largest request body a budgeted call may have: it is read whole to find the model and max_tokens. */
export const BUDGETED_BODY_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Reads the request body of a budgeted call (a chat or messages request: JSON of a few kB to a few MB),
 * refusing one over `maxBytes` before reading the rest. The body is then forwarded from the buffer.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return readCappedBody(req, maxBytes, () => tooLarge(maxBytes));
}

function tooLarge(maxBytes: number): PortcullisError {
  return new PortcullisError('REQUEST_REJECTED', `a call counted against a token or cost budget may have a body of at most ${maxBytes} bytes; split the request`);
}
