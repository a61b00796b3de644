import type { PortcullisError } from '@portcullis/shared';
import type { TunnelEnd } from '../audit/record.js';

/** An open tunnel as the registry sees it. */
export interface OpenTunnel {
  /** Why it must be cut now (revocationOf against the current world), or undefined. */
  revoked(): PortcullisError | undefined;
  /** Ends both sides and records who ended it and why (`error`: the code the audit line carries). */
  cut(by: TunnelEnd, reason: string, error?: PortcullisError): void;
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
    if (this.open.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Cuts every tunnel whose upgrade would be refused now. */
  sweep(): void {
    for (const tunnel of [...this.open]) {
      const err = tunnel.revoked();
      if (err) tunnel.cut('revoked', err.message, err);
    }
  }

  stop(reason: string): void {
    for (const tunnel of [...this.open]) tunnel.cut('shutdown', reason);
  }
}
