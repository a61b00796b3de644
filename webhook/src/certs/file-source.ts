import { PortcullisError } from '@portcullis/shared';
import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import type { WebhookMetrics } from '../metrics.js';
import type { TlsMaterial } from '../server/admission-server.js';
import { certInfo, keyMatches } from './inspect.js';

export interface FileCertSourceDeps {
  /** Reads the mounted certificate and key (main.ts supplies it: only main touches files). */
  readonly read: () => Promise<TlsMaterial>;
  readonly onServing: (tls: TlsMaterial) => void;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly intervalMs: number;
}

/**
 * Serving certificate from mounted files (cert-manager or any other issuer that also maintains the
 * caBundle): re-read every `intervalMs` and swapped in when it changes.
 */
export class FileCertSource {
  private served: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: FileCertSourceDeps) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.deps.intervalMs);
    this.timer.unref();
  }

  kick(): void {
    void this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  serving(): boolean {
    return this.served !== undefined;
  }

  private async poll(): Promise<void> {
    try {
      const tls = await this.deps.read();
      if (tls.certPem === this.served) return;
      if (!keyMatches(tls.certPem, tls.keyPem)) throw new PortcullisError('TLS_MATERIAL_INVALID', 'the key file does not match the certificate file');
      this.deps.metrics.certificateExpiry.set({ certificate: 'serving' }, certInfo(tls.certPem).notAfter.getTime() / 1000);
      this.deps.onServing(tls);
      this.served = tls.certPem;
      this.deps.log.info('serving certificate loaded from files');
    } catch (err) {
      this.deps.metrics.certificateErrors.inc({ operation: 'load' });
      this.deps.log.warn({ code: 'TLS_MATERIAL_INVALID', err: describeError(err) }, 'cannot load the mounted certificate; keeping the current one');
    }
  }
}
