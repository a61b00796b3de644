import type { AddressInfo } from 'node:net';
import type { CoreV1Api } from '@kubernetes/client-node';
import { PortcullisError } from '@portcullis/shared';
import type { Logger } from 'pino';
import { admit } from '../admission/handle.js';
import type { WebhookOptions } from '../config/options.js';
import { EventRecorder } from '../events/recorder.js';
import type { InjectorConfig } from '../inject/config.js';
import type { WebhookMetrics } from '../metrics.js';
import { AdmissionServer, type TlsMaterial } from '../server/admission-server.js';
import type { Caches } from '../sources/caches.js';

/**
 * The admission server with its event recorder. It answers once start() has the injector settings (the
 * sidecar mode needs the API server's version) and the first serving certificate; later certificates
 * are reloaded in place.
 */
export class Admission {
  private readonly events: EventRecorder;
  private readonly server: AdmissionServer;
  private injector: InjectorConfig | undefined;
  private firstTls: (tls: TlsMaterial) => void = () => undefined;
  private readonly firstTlsReady = new Promise<TlsMaterial>((resolve) => (this.firstTls = resolve));
  private latestTls: TlsMaterial | undefined;

  constructor(
    options: WebhookOptions,
    private readonly deps: { core: CoreV1Api; caches: Caches; log: Logger; metrics: WebhookMetrics; now: () => Date },
  ) {
    const { log, metrics, caches } = deps;
    this.events = new EventRecorder({ core: deps.core, log, metrics, now: deps.now, instance: options.identity, maxQueued: 100 });
    this.server = new AdmissionServer(
      { address: options.listen.address, port: options.listen.port, maxRequestBytes: options.maxRequestBytes, requestTimeoutMs: options.requestTimeoutMs },
      {
        log,
        metrics,
        admit: (req) => admit(req, { sourcesIn: (ns) => caches.sources.inNamespace(ns), config: this.injectorConfig() }),
        onEvents: (e) => this.events.record(e),
      },
    );
  }

  listening(): boolean {
    return this.server.listening();
  }

  /** A serving certificate arrived: the first one starts the server, later ones are reloaded. */
  readonly serve = (tls: TlsMaterial): void => {
    this.latestTls = tls;
    if (!this.server.listening()) return this.firstTls(tls);
    this.server.reload(tls);
    this.deps.metrics.tlsReloads.inc();
    this.deps.log.info('serving certificate reloaded');
  };

  /** Listens once the first certificate is there; `stopped` ends the wait when stop() comes first. */
  async start(injector: InjectorConfig, stopped: Promise<never>): Promise<AddressInfo> {
    this.injector = injector;
    const tls = await Promise.race([this.firstTlsReady, stopped]);
    const address = await this.server.start(tls);
    // A rotation that landed while the server was binding is served from here on.
    if (this.latestTls && this.latestTls !== tls) this.server.reload(this.latestTls);
    return address;
  }

  stopServing(): Promise<void> {
    return this.server.stop();
  }

  /** Sends the events still queued. */
  flushEvents(): Promise<void> {
    return this.events.flush();
  }

  private injectorConfig(): InjectorConfig {
    if (!this.injector) throw new PortcullisError('INTERNAL', 'the webhook answered before start() resolved the sidecar mode');
    return this.injector;
  }
}
