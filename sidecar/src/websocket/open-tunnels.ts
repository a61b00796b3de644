import type { PortcullisError } from '@portcullis/shared';
import type { Cut } from './tunnel.js';

/** An open tunnel as the registry sees it. */
export interface OpenTunnel {
  /** Why it must be cut now (revocationOf against the current world), or undefined. */
  revoked(): PortcullisError | undefined;
  /** Ends both sides and records who ended it and why (`error`: the code the audit line carries). */
  cut(cut: Cut, error?: PortcullisError): void;
}

/**
 * The sidecar's open WebSocket tunnels. While any is open they are checked every `checkIntervalMs`
 * against the current identity, sources, suspensions and policies, so a revocation that would refuse a
 * new upgrade also cuts the tunnels it opened — within the interval of the change reaching the sidecar.
 * stop() cuts them all (the sidecar is shutting down).
 */
export class OpenTunnels {
  private readonly open = new Set<OpenTunnel>();
  private timer: NodeJS.Timeout | undefined;
  private readonly emptied: (() => void)[] = [];

  constructor(private readonly checkIntervalMs: number) {}

  get size(): number {
    return this.open.size;
  }

  add(tunnel: OpenTunnel): void {
    this.open.add(tunnel);
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.checkIntervalMs);
    this.timer.unref();
  }

  delete(tunnel: OpenTunnel): void {
    this.open.delete(tunnel);
    if (this.open.size > 0) return;
    for (const resolve of this.emptied.splice(0)) resolve();
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Cuts every tunnel whose upgrade would be refused now. */
  sweep(): void {
    for (const tunnel of [...this.open]) {
      const err = tunnel.revoked();
      if (err) tunnel.cut({ by: 'revoked', reason: err.message, closeCode: 1008, closeReason: `portcullis: ${err.code}` }, err);
    }
  }

  /** Cuts every tunnel; resolves once all have closed and been recorded (each is destroyed after its drain time at most). */
  stop(reason: string): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.emptied.push(resolve));
    for (const tunnel of [...this.open]) tunnel.cut({ by: 'shutdown', reason, closeCode: 1001, closeReason: 'portcullis: the sidecar is stopping' });
    return done;
  }
}
