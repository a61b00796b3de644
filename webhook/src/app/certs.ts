import { AdmissionregistrationV1Api, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { PortcullisError } from '@portcullis/shared';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import type { Logger } from 'pino';
import { CaBundlePublisher } from '../certs/ca-bundle.js';
import { FileCertSource } from '../certs/file-source.js';
import { SecretCertManager } from '../certs/manager.js';
import type { Issuer } from '../certs/plan.js';
import { TlsSecretStore } from '../certs/secret-store.js';
import type { WebhookOptions } from '../config/options.js';
import type { WebhookMetrics } from '../metrics.js';
import type { TlsMaterial } from '../server/admission-server.js';

/** Where the serving certificate comes from: mounted files, or a Secret the leader keeps current. */
export interface ServingSource {
  start(): void;
  stop(): void;
  kick(): void;
  serving(): boolean;
}

export interface CertDeps {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly now: () => Date;
  readonly isLeader: () => boolean;
  /** A certificate to serve with: the first one, then every rotation. */
  readonly onServing: (tls: TlsMaterial) => void;
  /** --tls-mode files: reads the mounted certificate and key (main.ts supplies it). */
  readonly readTlsFiles: (() => Promise<TlsMaterial>) | undefined;
  readonly issuer: Issuer | undefined;
}

export function createCertSource(options: WebhookOptions, deps: CertDeps): ServingSource {
  const { log, metrics, onServing } = deps;
  if (options.tls.mode === 'files') {
    const read = deps.readTlsFiles ?? (() => Promise.reject(new PortcullisError('TLS_MATERIAL_INVALID', 'no TLS file reader was given for --tls-mode files')));
    return new FileCertSource({ read, onServing, log, metrics, intervalMs: options.tls.checkIntervalMs });
  }
  return new SecretCertManager({
    store: new TlsSecretStore(deps.core, options.namespace, options.tls.secretName),
    publisher: new CaBundlePublisher(deps.kc.makeApiClient(AdmissionregistrationV1Api), options.tls.webhookConfigName),
    issuer: deps.issuer ?? { createCa: createCertificateAuthority, issue: issueCertificate },
    policy: options.tls.policy,
    isLeader: deps.isLeader,
    now: deps.now,
    log: log.child({ subsystem: 'certs' }),
    metrics,
    onServing,
    intervalMs: options.tls.checkIntervalMs,
  });
}
