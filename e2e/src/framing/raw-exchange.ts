// One raw-socket exchange with the sidecar: write bytes exactly as given, read what comes back.
import { connect } from 'node:net';

export interface RawAnswer {
  /** Everything the sidecar wrote back on this connection. */
  readonly text: string;
  /** Status codes of the final (non-1xx) responses in `text`, in order. */
  readonly statuses: readonly number[];
  /** The sidecar closed the connection (rather than the read stopping after a quiet period). */
  readonly closedByPeer: boolean;
}

/**
 * Sends `bytes` and reads until the sidecar closes the connection, or until nothing arrived for `quietMs`
 * after at least one response (or `maxMs` in all). The request never half-closes: an HTTP server may
 * abandon a request whose client sent FIN.
 */
export function rawExchange(port: number, bytes: Buffer, opts: { quietMs?: number; maxMs?: number } = {}): Promise<RawAnswer> {
  const quietMs = opts.quietMs ?? 300;
  const maxMs = opts.maxMs ?? 4000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let closedByPeer = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(quiet);
      clearTimeout(overall);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])).filter((s) => s >= 200);
      resolve({ text, statuses, closedByPeer });
    };
    const overall = setTimeout(finish, maxMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(quiet);
      quiet = setTimeout(finish, quietMs);
    });
    socket.on('end', () => {
      closedByPeer = true;
      finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the answer (the sidecar closing a connection with unread bytes) still counts as closed.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        closedByPeer = true;
        return finish();
      }
      clearTimeout(overall);
      reject(err);
    });
  });
}
