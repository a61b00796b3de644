import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { TunnelEnd } from '../audit/record.js';
import { closeFrame, FrameScanner } from './frame-scanner.js';

/** How a tunnel ended, handed to `onClose` once both sockets are closed. */
export interface TunnelClose {
  readonly closedBy: TunnelEnd;
  readonly reason: string;
  /** The WebSocket status code of the close: the first close frame either peer sent, or the one the sidecar sent when it cut the tunnel; null when none. */
  readonly closeCode: number | null;
  /** Bytes from the app to the upstream, and back. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface TunnelOptions {
  /** No byte either way for this long ends both sides. */
  readonly idleTimeoutMs: number;
  /** After one side closed (or the sidecar cut the tunnel), how long the other may still flush what it was sent before it is destroyed. */
  readonly drainMs: number;
  readonly onClose: (close: TunnelClose) => void;
}

type Side = 'app' | 'upstream';

/** How the sidecar ends a tunnel itself: the close frame it sends the app (when not mid-frame). */
export interface Cut {
  readonly by: TunnelEnd;
  readonly reason: string;
  /** 1008 (policy violation) for a revocation, 1001 (going away) for the idle timeout and shutdown. */
  readonly closeCode: number;
  /** Short text for the close frame (at most 123 bytes). */
  readonly closeReason: string;
}

/**
 * The byte tunnel between the app's socket and the upstream's once the upstream answered 101. Each
 * direction is piped with backpressure (a slow reader pauses the other socket instead of growing a
 * buffer), a FIN is passed on as a FIN, a reset or error on one side ends the other. Payloads pass
 * untouched; frame headers are followed (FrameScanner) to learn who sent the first close frame and with
 * which code, and where frames end, so that when the sidecar cuts the tunnel (idle timeout, revocation,
 * shutdown) it stops forwarding at once and, between frames, tells both peers with a close frame of its
 * own before closing the connections.
 */
export class Tunnel {
  private bytesIn = 0;
  private bytesOut = 0;
  private closedBy: TunnelEnd | undefined;
  private reason = '';
  private closeCode: number | null = null;
  private cutting = false;
  private readonly fromApp = new FrameScanner();
  private readonly fromUpstream = new FrameScanner();
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
    this.idle = setTimeout(
      () => this.cut({ by: 'idle', reason: `no byte either way for ${idleTimeoutMs} ms (--websocket-idle-timeout-seconds)`, closeCode: 1001, closeReason: 'portcullis: idle timeout' }),
      idleTimeoutMs,
    );
    this.wire(this.app, this.upstream, 'app');
    this.wire(this.upstream, this.app, 'upstream');
    if (upstreamHead.length > 0) {
      this.seen('upstream', upstreamHead);
      this.app.write(upstreamHead);
    }
    if (appHead.length > 0) {
      this.seen('app', appHead);
      this.upstream.write(appHead);
    }
    this.app.pipe(this.upstream);
    this.upstream.pipe(this.app);
  }

  /**
   * Ends the tunnel now: nothing more is forwarded either way; each peer that is between frames gets a
   * close frame (the app `cut.closeCode`, the upstream 1001), then both connections are ended, and
   * destroyed if they linger past drainMs. The first reason given is the one recorded.
   */
  cut(cut: Cut): void {
    if (this.cutting) return;
    this.cutting = true;
    this.note(cut.by, cut.reason);
    this.app.unpipe(this.upstream);
    this.upstream.unpipe(this.app);
    // unpipe() pauses: keep reading (and dropping) so that each peer's FIN and close are seen.
    this.app.resume();
    this.upstream.resume();
    if (this.fromUpstream.atBoundary && this.app.writable) {
      this.app.write(closeFrame(cut.closeCode, cut.closeReason));
      this.closeCode ??= cut.closeCode;
    }
    if (this.fromApp.atBoundary && this.upstream.writable) this.upstream.write(closeFrame(1001, cut.closeReason, randomBytes(4)));
    this.app.end();
    this.upstream.end();
    clearTimeout(this.drain);
    this.drain = setTimeout(() => {
      this.app.destroy();
      this.upstream.destroy();
    }, this.options.drainMs);
  }

  /** Bytes that crossed from `side`: counted and scanned for the first close frame. */
  private seen(side: Side, chunk: Buffer): void {
    const scanner = side === 'app' ? this.fromApp : this.fromUpstream;
    if (side === 'app') this.bytesIn += chunk.length;
    else this.bytesOut += chunk.length;
    const before = scanner.close;
    scanner.write(chunk);
    if (before === undefined && scanner.close !== undefined && this.closeCode === null && this.closedBy === undefined) {
      this.closeCode = scanner.close.code ?? null;
      this.note(side, `the ${side} sent a close frame${scanner.close.code === undefined ? '' : ` (${scanner.close.code})`}`);
    }
  }

  private wire(from: Duplex, to: Duplex, side: Side): void {
    from.on('data', (chunk: Buffer) => {
      // After a cut nothing more is forwarded or counted; what still arrives is read and dropped.
      if (this.cutting) return;
      this.seen(side, chunk);
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
      this.options.onClose({ closedBy: this.closedBy ?? 'app', reason: this.reason, closeCode: this.closeCode, bytesIn: this.bytesIn, bytesOut: this.bytesOut });
      return;
    }
    // The other side may still be flushing what this one sent last: end it, and destroy it if it lingers.
    if (!other.destroyed) {
      other.end();
      this.drain ??= setTimeout(() => other.destroy(), this.options.drainMs);
    }
  }
}
