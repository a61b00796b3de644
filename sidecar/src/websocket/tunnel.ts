import type { Duplex } from 'node:stream';
import type { TunnelEnd } from '../audit/record.js';

/** How a tunnel ended, handed to `onClose` once both sockets are closed. */
export interface TunnelClose {
  readonly closedBy: TunnelEnd;
  readonly reason: string;
  /** Bytes from the app to the upstream, and back. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface TunnelOptions {
  /** No byte either way for this long ends both sides. */
  readonly idleTimeoutMs: number;
  /** After one side closed, how long the other may still flush what it was sent before it is destroyed. */
  readonly drainMs: number;
  readonly onClose: (close: TunnelClose) => void;
}

type Side = 'app' | 'upstream';

/**
 * The byte tunnel between the app's socket and the upstream's once the upstream answered 101. Each
 * direction is piped with backpressure (a slow reader pauses the other socket instead of growing a
 * buffer), a FIN is passed on as a FIN, a reset or error on one side ends the other, and the idle timeout
 * ends both. The frames are not parsed: the WebSocket close handshake travels as bytes like the rest.
 */
export class Tunnel {
  private bytesIn = 0;
  private bytesOut = 0;
  private closedBy: TunnelEnd | undefined;
  private reason = '';
  private open = 2;
  private idle: NodeJS.Timeout | undefined;
  private drain: NodeJS.Timeout | undefined;

  constructor(
    private readonly app: Duplex,
    private readonly upstream: Duplex,
    private readonly options: TunnelOptions,
  ) {}

  /** Starts carrying bytes; `appHead`/`upstreamHead` are what each side sent right after its head. */
  start(appHead: Buffer, upstreamHead: Buffer): void {
    const { idleTimeoutMs } = this.options;
    this.idle = setTimeout(() => this.cut('idle', `no byte either way for ${idleTimeoutMs} ms (--websocket-idle-timeout-seconds)`), idleTimeoutMs);
    this.wire(this.app, this.upstream, 'app');
    this.wire(this.upstream, this.app, 'upstream');
    if (upstreamHead.length > 0) {
      this.bytesOut += upstreamHead.length;
      this.app.write(upstreamHead);
    }
    if (appHead.length > 0) {
      this.bytesIn += appHead.length;
      this.upstream.write(appHead);
    }
    this.app.pipe(this.upstream);
    this.upstream.pipe(this.app);
  }

  /** Ends both sides now (idle, revoked, shutdown); the first reason given is the one recorded. */
  cut(by: TunnelEnd, reason: string): void {
    this.note(by, reason);
    this.app.destroy();
    this.upstream.destroy();
  }

  private wire(from: Duplex, to: Duplex, side: Side): void {
    from.on('data', (chunk: Buffer) => {
      if (side === 'app') this.bytesIn += chunk.length;
      else this.bytesOut += chunk.length;
      this.idle?.refresh();
    });
    from.on('end', () => this.note(side, side === 'app' ? 'the app closed the connection' : 'the upstream closed the connection'));
    from.on('error', (err: NodeJS.ErrnoException) => {
      this.note(side, `the ${side} connection failed (${err.code ?? err.message})`);
      to.destroy();
    });
    from.on('close', () => {
      this.note(side, side === 'app' ? 'the app connection closed' : 'the upstream connection closed');
      this.closed(to);
    });
  }

  private note(by: TunnelEnd, reason: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = by;
    this.reason = reason;
  }

  private closed(other: Duplex): void {
    this.open -= 1;
    if (this.open === 0) {
      clearTimeout(this.idle);
      clearTimeout(this.drain);
      this.options.onClose({ closedBy: this.closedBy ?? 'app', reason: this.reason, bytesIn: this.bytesIn, bytesOut: this.bytesOut });
      return;
    }
    // The other side may still be flushing what this one sent last: end it, and destroy it if it lingers.
    if (!other.destroyed) {
      other.end();
      this.drain ??= setTimeout(() => other.destroy(), this.options.drainMs);
    }
  }
}
