import type { AddressInfo } from 'node:net';
import { AdmissionregistrationV1Api, CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { PortcullisError, createResourceValidator } from '@portcullis/shared';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import type { Logger } from 'pino';
import { admit } from './admission/handle.js';
import { CaBundlePublisher } from './certs/ca-bundle.js';
import { FileCertSource } from './certs/file-source.js';
import { SecretCertManager } from './certs/manager.js';
import type { Issuer } from './certs/plan.js';
import { TlsSecretStore } from './certs/secret-store.js';
import type { WebhookOptions } from './config/options.js';
import { EventRecorder } from './events/recorder.js';
import type { InjectorConfig } from './inject/config.js';
import { fetchServerVersion, supportsNativeSidecars, type ServerVersion } from './kube/server-version.js';
import { LeaderElector } from './leader/elector.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import { createAdminServer, close, listen, type Readiness } from './server/admin-server.js';
import { AdmissionServer, type TlsMaterial } from './server/admission-server.js';
import { createCaches, type Caches } from './sources/caches.js';
import { StatusController } from './status/controller.js';
import { apiSecretReader, apiStatusWriter } from './status/kube.js';

export interface WebhookDeps {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly defaultMetrics?: boolean;
  /** --tls-mode files: reads the mounted certificate and key (main.ts supplies it). */
  readonly readTlsFiles?: () => Promise<TlsMaterial>;
  readonly issuer?: Issuer;
  readonly serverVersion?: () => Promise<ServerVersion | undefined>;
}

export interface Started {
  readonly port: number;
  readonly adminPort: number;
  readonly nativeSidecar: boolean;
  readonly serverVersion: string | undefined;
}

export interface Webhook {
  start(): Promise<Started>;
  stop(): Promise<void>;
  readonly metrics: WebhookMetrics;
  readiness(): Readiness;
  isLeader(): boolean;
}

interface ServingSource {
  start(): void;
  stop(): void;
  kick(): void;
  serving(): boolean;
}

async function nativeSidecars(options: WebhookOptions, version: () => Promise<ServerVersion | undefined>, log: Logger): Promise<{ native: boolean; version: string | undefined }> {
  if (options.sidecarMode !== 'auto') return { native: options.sidecarMode === 'native', version: undefined };
  const v = await version();
  if (!v) log.warn('could not read the API server version; injecting the proxy as a regular container');
  return { native: v !== undefined && supportsNativeSidecars(v), version: v?.gitVersion };
}

/** Builds the webhook from parsed options; nothing listens, watches or writes until start(). */
export function buildWebhook(options: WebhookOptions, deps: WebhookDeps): Webhook {
  const { log, kubeConfig: kc } = deps;
  const now = deps.now ?? (() => new Date());
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? true });
  const core = kc.makeApiClient(CoreV1Api);
  let injector: InjectorConfig | undefined;
  let firstTls: (tls: TlsMaterial) => void = () => undefined;
  const firstTlsReady = new Promise<TlsMaterial>((resolve) => (firstTls = resolve));
  let abortStart: (err: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => (abortStart = reject));
  stopped.catch(() => undefined);

  const events = new EventRecorder({ core, log, metrics, now, instance: options.identity, maxQueued: 100 });
  const server = new AdmissionServer(
    { address: options.listen.address, port: options.listen.port, maxRequestBytes: options.maxRequestBytes, requestTimeoutMs: options.requestTimeoutMs },
    {
      log,
      metrics,
      admit: (req) => admit(req, { sourcesIn: (ns) => caches.sources.inNamespace(ns), config: injectorConfig() }),
      onEvents: (e) => events.record(e),
    },
  );
  const injectorConfig = (): InjectorConfig => {
    if (!injector) throw new PortcullisError('INTERNAL', 'the webhook answered before start() resolved the sidecar mode');
    return injector;
  };
  const status = new StatusController({
    sources: () => caches.sources.all(),
    policies: () => caches.policies.all(),
    synced: () => caches.sources.synced() && caches.policies.synced(),
    writer: apiStatusWriter(kc),
    secrets: options.status.checkSecrets ? apiSecretReader(kc) : undefined,
    now,
    validator: createResourceValidator(),
    log: log.child({ subsystem: 'status' }),
    metrics,
    debounceMs: options.status.debounceMs,
    resyncMs: options.status.resyncMs,
  });
  const caches: Caches = createCaches(kc, options.watchNamespaces, { log, metrics, onChange: () => status.changed() });
  const elector = new LeaderElector(
    { namespace: options.namespace, name: options.lease.name, identity: options.identity, leaseDurationSeconds: options.lease.durationSeconds, retryIntervalMs: options.lease.retryIntervalMs },
    {
      api: kc.makeApiClient(CoordinationV1Api),
      log,
      nowMs: () => now().getTime(),
      onChange: (leading) => {
        metrics.leader.set(leading ? 1 : 0);
        if (options.status.enabled) status.setLeading(leading);
        certs.kick();
      },
    },
  );
  let latestTls: TlsMaterial | undefined;
  const onServing = (tls: TlsMaterial): void => {
    latestTls = tls;
    if (!server.listening()) return firstTls(tls);
    server.reload(tls);
    metrics.tlsReloads.inc();
    log.info('serving certificate reloaded');
  };
  const certs: ServingSource =
    options.tls.mode === 'files'
      ? new FileCertSource({ read: deps.readTlsFiles ?? (() => Promise.reject(new PortcullisError('TLS_MATERIAL_INVALID', 'no TLS file reader was given for --tls-mode files'))), onServing, log, metrics, intervalMs: options.tls.checkIntervalMs })
      : new SecretCertManager({
          store: new TlsSecretStore(core, options.namespace, options.tls.secretName),
          publisher: new CaBundlePublisher(kc.makeApiClient(AdmissionregistrationV1Api), options.tls.webhookConfigName),
          issuer: deps.issuer ?? { createCa: createCertificateAuthority, issue: issueCertificate },
          policy: options.tls.policy,
          isLeader: () => elector.isLeader(),
          now,
          log: log.child({ subsystem: 'certs' }),
          metrics,
          onServing,
          intervalMs: options.tls.checkIntervalMs,
        });
  const admin = createAdminServer(metrics.registry, () => readiness());
  const readiness = (): Readiness => {
    const reasons = [
      ...(certs.serving() ? [] : ['no serving certificate yet']),
      ...(server.listening() ? [] : ['admission server not listening']),
      ...(caches.sources.synced() ? [] : ['CredentialSources not loaded yet']),
    ];
    return { ready: reasons.length === 0, reasons };
  };

  return {
    metrics,
    readiness,
    isLeader: () => elector.isLeader(),
    async start() {
      const adminAddress: AddressInfo = await listen(admin, options.admin.port, options.admin.address);
      const mode = await nativeSidecars(options, deps.serverVersion ?? (() => fetchServerVersion(kc)), log);
      injector = { ...options.injector, nativeSidecar: mode.native };
      caches.start();
      elector.start();
      certs.start();
      // Waits for the first certificate (the leader creates it); stop() meanwhile ends the wait.
      const tls = await Promise.race([firstTlsReady, stopped]);
      const address = await server.start(tls);
      // A rotation that landed while the server was binding is served from here on.
      if (latestTls && latestTls !== tls) server.reload(latestTls);
      return { port: address.port, adminPort: adminAddress.port, nativeSidecar: mode.native, serverVersion: mode.version };
    },
    async stop() {
      abortStart(new PortcullisError('INTERNAL', 'the webhook was stopped before it finished starting'));
      certs.stop();
      status.stop();
      caches.stop();
      await server.stop();
      await elector.stop();
      await events.flush();
      await close(admin);
    },
  };
}
