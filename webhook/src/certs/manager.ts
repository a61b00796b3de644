import { PortcullisError } from '@portcullis/shared';
import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import { apiFailure, isConflict } from '../kube/api-errors.js';
import type { WebhookMetrics } from '../metrics.js';
import type { TlsMaterial } from '../server/admission-server.js';
import type { CaBundlePublisher, PublishResult } from './ca-bundle.js';
import { certInfo } from './inspect.js';
import type { CertMaterial } from './material.js';
import { planRotation, type Issuer, type RotationPolicy } from './plan.js';
import type { StoredMaterial, TlsSecretStore } from './secret-store.js';

export interface CertManagerDeps {
  readonly store: Pick<TlsSecretStore, 'read' | 'write'>;
  readonly publisher: Pick<CaBundlePublisher, 'publish'>;
  readonly issuer: Issuer;
  readonly policy: RotationPolicy;
  /** Only the Lease holder creates, rotates and publishes; every replica serves what the Secret holds. */
  readonly isLeader: () => boolean;
  readonly now: () => Date;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly onServing: (tls: TlsMaterial) => void;
  readonly intervalMs: number;
}

/**
 * Self-managed TLS: every `intervalMs` each replica reads the Secret and serves its certificate (hot
 * reload, no restart); the leader also plans rotation, writes the Secret (optimistic concurrency) and
 * keeps the MutatingWebhookConfiguration's caBundle current.
 */
export class SecretCertManager {
  private served: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  private warnedMissing = false;

  constructor(private readonly deps: CertManagerDeps) {}

  start(): void {
    this.stopped = false;
    void this.run();
  }

  /** Syncs now (e.g. right after this replica became leader). */
  kick(): void {
    if (this.running) this.again = true;
    else void this.run();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  serving(): boolean {
    return this.served !== undefined;
  }

  private async run(): Promise<void> {
    clearTimeout(this.timer);
    this.running = true;
    try {
      await this.tick();
    } catch (err) {
      this.deps.metrics.certificateErrors.inc({ operation: isConflict(err) ? 'conflict' : 'sync' });
      if (isConflict(err)) this.deps.log.info('TLS Secret changed concurrently; reading it again');
      else this.deps.log.warn(apiFailure(err), 'TLS certificate sync failed; retrying');
    } finally {
      this.running = false;
      if (!this.stopped) {
        const delay = this.again ? 0 : this.deps.intervalMs;
        this.again = false;
        this.timer = setTimeout(() => void this.run(), delay);
        this.timer.unref();
      }
    }
  }

  private async tick(): Promise<void> {
    const stored = await this.deps.store.read();
    const material = this.deps.isLeader() ? await this.lead(stored) : stored?.material;
    if (material) this.serve(material);
    else if (!this.deps.isLeader()) this.deps.log.debug('waiting for the leader to write the TLS Secret');
  }

  private async lead(stored: StoredMaterial | undefined): Promise<CertMaterial | undefined> {
    const { metrics, log } = this.deps;
    const current = stored?.material;
    const published = current ? await this.publish(current.caBundlePem) : undefined;
    const bundlePublished = published === 'published' || published === 'unchanged';
    const plan = planRotation(current, { now: this.deps.now(), bundlePublished }, this.deps.policy, this.deps.issuer);
    if (plan.action === 'keep') return current;
    await this.deps.store.write(plan.material, stored?.resourceVersion);
    metrics.certificateRotations.inc({ reason: plan.reason });
    log.info({ reason: plan.reason, notAfter: certInfo(plan.material.leaf.certPem).notAfter.toISOString() }, 'TLS certificate material written');
    await this.publish(plan.material.caBundlePem);
    return plan.material;
  }

  private async publish(bundlePem: string): Promise<PublishResult | undefined> {
    try {
      const result = await this.deps.publisher.publish(bundlePem);
      if (result === 'published') this.deps.log.info('caBundle published to the MutatingWebhookConfiguration');
      if (result === 'missing' && !this.warnedMissing) {
        const err = new PortcullisError('WEBHOOK_CONFIG_NOT_FOUND', 'the MutatingWebhookConfiguration does not exist or has no webhooks; the API server cannot call the webhook until it does (check --webhook-config-name)');
        this.deps.log.warn({ code: err.code }, err.message);
      }
      this.warnedMissing = result === 'missing';
      return result;
    } catch (err) {
      this.deps.metrics.certificateErrors.inc({ operation: 'publish' });
      this.deps.log.warn(apiFailure(err), 'publishing the caBundle failed; retrying');
      return undefined;
    }
  }

  private serve(material: CertMaterial): void {
    if (material.leaf.certPem === this.served) return;
    try {
      const { metrics } = this.deps;
      metrics.certificateExpiry.set({ certificate: 'serving' }, certInfo(material.leaf.certPem).notAfter.getTime() / 1000);
      metrics.certificateExpiry.set({ certificate: 'ca' }, certInfo(material.ca.certPem).notAfter.getTime() / 1000);
      this.deps.onServing({ certPem: material.leaf.certPem, keyPem: material.leaf.keyPem });
      this.served = material.leaf.certPem;
    } catch (err) {
      this.deps.metrics.certificateErrors.inc({ operation: 'load' });
      this.deps.log.error({ code: 'TLS_MATERIAL_INVALID', err: describeError(err) }, 'the TLS Secret holds a certificate that cannot be served; the leader replaces it');
    }
  }
}
