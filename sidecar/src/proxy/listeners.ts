import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { drainServer, nodeHttp } from '@portcullis/shared/http';
import type { Logger } from 'pino';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** WebSocket upgrades: the `upgrade` listener of each port, and what stops the open tunnels at close(). */
export interface Upgrades {
  readonly makeListener: (port: number) => UpgradeListener;
  /** Which requests with `Connection: Upgrade` go to the listener; the others are served as ordinary requests. */
  readonly accepts: (req: IncomingMessage) => boolean;
  /** Cuts the open tunnels; resolves when they have closed. */
  readonly stop: (reason: string) => Promise<void>;
}

const SKIPPABLE = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);
/** A removed source's port: requests in flight on it get this long before their connections are cut. */
const REMOVED_SOURCE_DRAIN_MS = 30_000;

/**
 * One HTTP server per source port on each loopback address (127.0.0.1 and ::1), opened and closed as
 * sources come and go. Never binds anything but loopback. A host without IPv6 just skips ::1.
 */
export class PortListeners {
  private readonly servers = new Map<number, Server[]>();

  constructor(
    private readonly makeHandler: (port: number) => Handler,
    private readonly addresses: readonly string[],
    private readonly log: Logger,
    private readonly upgrades?: Upgrades,
  ) {
    for (const a of addresses) {
      if (a !== '127.0.0.1' && a !== '::1') throw new RangeError(`the proxy listens on loopback only, not on ${a}`);
    }
  }

  /** Source ports bound on at least one loopback address (not those still opening or refused). */
  ports(): number[] {
    const bound: number[] = [];
    for (const [port, servers] of this.servers) if (servers.length > 0) bound.push(port);
    return bound.sort((a, b) => a - b);
  }

  async reconcile(wanted: ReadonlySet<number>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [port, servers] of this.servers) {
      if (wanted.has(port)) continue;
      this.servers.delete(port);
      closing.push(...servers.map(async (s) => void (await drainServer(s, { deadlineMs: REMOVED_SOURCE_DRAIN_MS }))));
      this.log.info({ port }, 'stopped listening: source removed');
    }
    const opening: Promise<void>[] = [];
    for (const port of wanted) {
      if (!this.servers.has(port)) opening.push(this.open(port));
    }
    await Promise.all([...closing, ...opening]);
  }

  private async open(port: number): Promise<void> {
    const handler = this.makeHandler(port);
    // With an upgrade listener node:http hands it every request with Connection: Upgrade (any protocol).
    const upgrade = this.upgrades?.makeListener(port);
    const servers: Server[] = [];
    this.servers.set(port, servers);
    for (const address of this.addresses) {
      // No request timeout: uploads and SSE streams may last long; slow headers are still cut off.
      const server = nodeHttp.createServer(
        { requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 65_000, ...(this.upgrades ? { shouldUpgradeCallback: this.upgrades.accepts } : {}) },
        handler,
      );
      refuseUnparsed(server, port, this.log);
      if (upgrade) server.on('upgrade', upgrade);
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: address, port, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.on('error', (err) => this.log.error({ err, port, address }, 'proxy listener failed'));
        servers.push(server);
        this.log.info({ port, address }, 'listening for source');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (address === '::1' && SKIPPABLE.has(code)) this.log.warn({ port }, 'IPv6 loopback unavailable; listening on 127.0.0.1 only');
        else this.log.error({ err, port, address, code }, `cannot listen on ${address}:${port}; is another process using it?`);
      }
    }
  }

  /**
   * Stops listening; requests in flight get `drainMs` to finish, then what is still open is cut. Resolves
   * with how many connections' servers had to be cut.
   */
  async close(drainMs: number): Promise<number> {
    const all = [...this.servers.values()].flat();
    this.servers.clear();
    // Upgraded connections are no longer the servers': closing them does not end the tunnels.
    const [drained] = await Promise.all([Promise.all(all.map((s) => drainServer(s, { deadlineMs: drainMs }))), this.upgrades?.stop('the sidecar is stopping')]);
    return drained.filter((d) => d.cut).length;
  }
}

const REFUSE_CONNECT = refusal(
  'REQUEST_REJECTED',
  'CONNECT is not served on a source port; point the SDK\'s base URL at http://127.0.0.1:<port> and send ordinary requests',
);
const plainAnswer = (status: string): string => `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
const REFUSE_MALFORMED = plainAnswer('400 Bad Request');
const REFUSE_OVERSIZED = plainAnswer('431 Request Header Fields Too Large');
const REFUSE_SLOW = plainAnswer('408 Request Timeout');

function refusal(code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * What never reaches the request handler: a CONNECT (Node hands it to a 'connect' listener, and without
 * one drops the connection unanswered) and a request the HTTP parser refused (bad framing, bare CR/LF,
 * obs-fold, NUL…). Both get a 400 and a closed connection; nothing after them on that connection is read.
 */
function refuseUnparsed(server: Server, port: number, log: Logger): void {
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    log.info({ port }, 'CONNECT refused on a source port');
    socket.end(REFUSE_CONNECT);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code !== 'ECONNRESET') log.info({ port, code: err.code, reason: err.message }, 'malformed request refused');
    const answer = err.code === 'HPE_HEADER_OVERFLOW' ? REFUSE_OVERSIZED : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? REFUSE_SLOW : REFUSE_MALFORMED;
    if (socket.writable) socket.end(answer);
    else socket.destroy();
  });
}

