import type { AddressInfo } from 'node:net';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { PortcullisError } from '@portcullis/shared';
import type { Logger } from 'pino';
import { Admission } from './app/admission.js';
import { createCertSource } from './app/certs.js';
import { createElector } from './app/leader.js';
import { Signal } from './app/signal.js';
import { createPodRoles } from './app/pod-roles.js';
import { createStatus } from './app/status.js';
import type { Issuer } from './certs/plan.js';
import type { WebhookOptions } from './config/options.js';
import { fetchServerVersion, supportsNativeSidecars, type ServerVersion } from './kube/server-version.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import { createAdminServer, close, listen, type Readiness } from './server/admin-server.js';
import type { TlsMaterial } from './server/admission-server.js';
import { createCaches } from './sources/caches.js';

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

async function nativeSidecars(options: WebhookOptions, version: () => Promise<ServerVersion | undefined>, log: Logger): Promise<{ native: boolean; version: string | undefined }> {
  if (options.sidecarMode !== 'auto') return { native: options.sidecarMode === 'native', version: undefined };
  const v = await version();
  if (!v) log.warn('could not read the API server version; injecting the proxy as a regular container');
  return { native: v !== undefined && supportsNativeSidecars(v), version: v?.gitVersion };
}

/**
 * Builds the webhook from parsed options; nothing listens, watches or writes until start(). Each part is
 * built after what it needs; the two changes that flow back (cache contents, leadership) go through
 * Signals, so there are no forward references.
 */
export function buildWebhook(options: WebhookOptions, deps: WebhookDeps): Webhook {
  const { log, kubeConfig: kc } = deps;
  const now = deps.now ?? (() => new Date());
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? true });
  const core = kc.makeApiClient(CoreV1Api);
  const cachesChanged = new Signal();
  const leadership = new Signal<boolean>();

  const caches = createCaches(kc, options.watchNamespaces, { log, metrics, onChange: cachesChanged.emit });
  const status = createStatus(options, kc, caches, metrics, log, now);
  cachesChanged.on(() => status.changed());
  const podRoles = options.podRoles.enabled ? createPodRoles(options, kc, metrics, log) : undefined;
  const elector = createElector(options, kc, metrics, log, now, leadership);
  const admission = new Admission(options, { core, caches, log, metrics, now });
  const certs = createCertSource(options, {
    kc,
    core,
    log,
    metrics,
    now,
    isLeader: () => elector.isLeader(),
    onServing: admission.serve,
    readTlsFiles: deps.readTlsFiles,
    issuer: deps.issuer,
  });
  leadership.on((leading) => {
    if (options.status.enabled) status.setLeading(leading);
    podRoles?.controller.setLeading(leading);
    certs.kick();
  });

  const readiness = (): Readiness => {
    const reasons = [
      ...(certs.serving() ? [] : ['no serving certificate yet']),
      ...(admission.listening() ? [] : ['admission server not listening']),
      ...(caches.sources.synced() ? [] : ['CredentialSources not loaded yet']),
    ];
    return { ready: reasons.length === 0, reasons };
  };
  const admin = createAdminServer(metrics.registry, readiness);
  let abortStart: (err: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => (abortStart = reject));
  stopped.catch(() => undefined);

  return {
    metrics,
    readiness,
    isLeader: () => elector.isLeader(),
    async start() {
      const adminAddress: AddressInfo = await listen(admin, options.admin.port, options.admin.address);
      const mode = await nativeSidecars(options, deps.serverVersion ?? (() => fetchServerVersion(kc)), log);
      caches.start();
      podRoles?.start();
      elector.start();
      certs.start();
      // Waits for the first certificate (the leader creates it); stop() meanwhile ends the wait.
      const address = await admission.start({ ...options.injector, nativeSidecar: mode.native }, stopped);
      return { port: address.port, adminPort: adminAddress.port, nativeSidecar: mode.native, serverVersion: mode.version };
    },
    async stop() {
      abortStart(new PortcullisError('INTERNAL', 'the webhook was stopped before it finished starting'));
      certs.stop();
      status.stop();
      podRoles?.stop();
      caches.stop();
      await admission.stopServing();
      await elector.stop();
      await admission.flushEvents();
      await close(admin);
    },
  };
}
