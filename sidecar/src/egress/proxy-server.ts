import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { PortcullisError } from '@portcullis/shared';
import { nodeHttp } from '@portcullis/shared/http';
import type { Logger } from 'pino';
import { createAbsoluteFormHandler } from './absolute-form.js';
import type { EgressDeps } from './egress-exchange.js';
import { refuseRequest } from './refusal.js';
import { createTunnelHandler } from './tunnel.js';

const plainAnswer = (status: string): string => `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;

/**
 * The HTTPS_PROXY port: one node:http server per loopback address that answers CONNECT (tunnels) and
 * absolute-form http:// requests. Origin-form requests belong on a source's port and are refused.
 */
export class EgressProxy {
  private servers: Server[] = [];
  /** Tunnels leave the HTTP server once upgraded; they are tracked here so close() ends them too. */
  private readonly tunnels = new Set<Duplex>();

  constructor(
    private readonly port: number,
    private readonly addresses: readonly string[],
    private readonly deps: EgressDeps,
    private readonly log: Logger,
  ) {
    for (const a of addresses) {
      if (a !== '127.0.0.1' && a !== '::1') throw new RangeError(`the proxy port listens on loopback only, not on ${a}`);
    }
  }

  /** The address of the first listener (tests start it on port 0). */
  address(): AddressInfo | undefined {
    const a = this.servers[0]?.address();
    return a !== null && typeof a === 'object' ? a : undefined;
  }

  async start(): Promise<void> {
    const absolute = createAbsoluteFormHandler(this.deps, this.log);
    const tunnel = createTunnelHandler(this.deps, this.log);
    let port = this.port;
    for (const address of this.addresses) {
      const server = nodeHttp.createServer({ requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 65_000 }, (req: IncomingMessage, res: ServerResponse) => {
        if ((req.url ?? '').startsWith('/')) {
          refuseRequest(res, new PortcullisError('EGRESS_TARGET_INVALID', 'this is the HTTPS_PROXY port: send CONNECT host:443 or an absolute http:// URL; ordinary requests go to a source\'s port'), 'none', undefined);
          req.resume();
          return;
        }
        absolute(req, res);
      });
      server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        this.tunnels.add(socket);
        socket.once('close', () => this.tunnels.delete(socket));
        tunnel(req, socket, head);
      });
      server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
        if (err.code !== 'ECONNRESET') this.log.info({ code: err.code, reason: err.message }, 'malformed request refused on the proxy port');
        if (socket.writable) socket.end(plainAnswer(err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'));
        else socket.destroy();
      });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: address, port, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (address === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
          this.log.warn({ port }, 'IPv6 loopback unavailable; the proxy port listens on 127.0.0.1 only');
          continue;
        }
        throw new PortcullisError('CONFIG_INVALID', `cannot listen on ${address}:${port} for the HTTPS_PROXY port (${code}); is another process using it?`, { cause: err });
      }
      server.on('error', (err) => this.log.error({ err, address }, 'proxy port listener failed'));
      this.servers.push(server);
      // Port 0: every address gets the port the first one was given.
      if (port === 0) port = (server.address() as AddressInfo).port;
      this.log.info({ port, address }, 'listening as HTTPS_PROXY');
    }
  }

  async close(): Promise<void> {
    const all = this.servers;
    this.servers = [];
    for (const t of this.tunnels) t.destroy();
    this.tunnels.clear();
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}
