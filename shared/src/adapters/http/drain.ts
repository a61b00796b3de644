import type { Server } from 'node:http';

/** An http or https server. */
export type Drainable = Pick<Server, 'listening' | 'close' | 'closeIdleConnections' | 'closeAllConnections'>;

export interface DrainOptions {
  /** After this long, connections still open are cut: a request still in flight then fails. */
  readonly deadlineMs: number;
  /** How often connections whose request has finished are looked for and closed. */
  readonly pollMs?: number;
}

export interface Drained {
  /** True when the deadline passed and open connections were cut. */
  readonly cut: boolean;
}

/**
 * Stops accepting connections and resolves once every connection has closed. node:http's close() ends
 * only the connections idle at that moment: one whose request is in flight stays open after its answer
 * until the client or keepAliveTimeout closes it (65 s on our servers: an SDK's keep-alive pool held a
 * stopping sidecar that long). So the idle ones are closed again every `pollMs` as requests finish, and
 * whatever is still open at `deadlineMs` is cut. A server that is not listening resolves at once.
 */
export function drainServer(server: Drainable, { deadlineMs, pollMs = 50 }: DrainOptions): Promise<Drained> {
  if (!server.listening) return Promise.resolve({ cut: false });
  return new Promise((resolve) => {
    let cut = false;
    const poll = setInterval(() => server.closeIdleConnections(), pollMs);
    const deadline = setTimeout(() => {
      cut = true;
      server.closeAllConnections();
    }, deadlineMs);
    server.close(() => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve({ cut });
    });
    server.closeIdleConnections();
  });
}
