import type { IncomingMessage } from 'node:http';

export interface LingerLimits {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/** Default: enough for any body a client sends before it looks for an early answer. */
export const LINGER_LIMITS: LingerLimits = { maxBytes: 16 * 1024 * 1024, maxMs: 2000 };

/**
 * Calls `then` once the rest of the request body has been read and discarded, or once `limits` are
 * reached. Answering (with Connection: close) while a client is still sending makes the kernel reset the
 * connection, and the client then sees a write error instead of the answer; nginx avoids this the same
 * way ("lingering close").
 */
export function afterBodyDrained(req: IncomingMessage, limits: LingerLimits, then: () => void): void {
  if (req.complete || req.readableEnded || req.destroyed) return then();
  let seen = 0;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', finish);
    req.off('error', finish);
    req.off('close', finish);
    then();
  };
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen > limits.maxBytes) finish();
  };
  const timer = setTimeout(finish, limits.maxMs);
  req.on('data', onData);
  req.once('end', finish);
  req.once('error', finish);
  req.once('close', finish);
  req.resume();
}
