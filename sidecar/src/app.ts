import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createResourceValidator, IDENTITY_AUDIENCE, PortcullisError } from '@portcullis/shared';
import type { KubeRestClient } from '@portcullis/shared/kube';
import type { Logger } from 'pino';
import { createAdminServer } from './admin/server.js';
import { AuditLog, type AuditSink } from './audit/audit-log.js';
import type { SidecarOptions } from './config/options.js';
import type { Identity, TokenReviewStatus } from './identity/identity.js';
import { IdentityWatcher } from './identity/identity-watcher.js';
import { createIdentityMetrics } from './identity/metrics.js';
import { apiTokenReviewer } from './identity/token-review.js';
import { createMetrics, type SidecarMetrics } from './metrics.js';
import { createHandler } from './proxy/handler.js';
import { PortListeners } from './proxy/listeners.js';
import { ClusterStore } from './store/cluster-store.js';
import { FileStore } from './store/file-store.js';
import { SidecarState } from './store/state.js';

export interface SidecarDeps {
  readonly log: Logger;
  readonly audit: AuditSink;
  /** Cluster mode: the sidecar's API access (see kube-client.ts). */
  readonly kube?: KubeRestClient;
  /** Cluster mode: pod labels from the downward API, read by main. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Overrides TokenReview (tests of the pipeline without an API server). */
  readonly review?: (token: string, audience: string) => Promise<TokenReviewStatus>;
  readonly now?: () => Date;
  readonly defaultMetrics?: boolean;
}

export interface Sidecar {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly metrics: SidecarMetrics;
  /** Source ports currently listened on. */
  ports(): number[];
  adminAddress(): AddressInfo;
  /**
   * `rejected`: invalid objects and files; `credentials`: sources whose credential cannot be used. Neither
   * makes the sidecar unready: the other sources keep serving (docs/sidecar.md).
   */
  readiness(): { ready: boolean; reasons: string[]; rejected: string[]; credentials: string[] };
}

/** Builds the sidecar from parsed options; nothing listens or watches until start(). */
export function buildSidecar(options: SidecarOptions, deps: SidecarDeps): Sidecar {
  const { log } = deps;
  const now = deps.now ?? (() => new Date());
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? true });
  const mode = options.mode;
  let identityOf: () => Identity | undefined;
  let identityProblem: () => string | undefined;
  let identityWatcher: IdentityWatcher | undefined;

  const state = new SidecarState({
    sourceFilter: options.sources,
    secretsDir: options.secretsDir,
    stsTokenFile: options.stsTokenFile,
    vaultJwtFile: options.vaultJwtFile,
    vaultTokenFile: options.vaultTokenFile,
    credentialPollIntervalMs: options.credentialPollIntervalMs,
    labels: mode.kind === 'standalone' ? mode.labels : (deps.labels ?? {}),
    metrics,
    log,
    onPorts: (ports) => void listeners.reconcile(ports),
    now,
  });

  if (mode.kind === 'standalone') {
    identityOf = () => mode.identity;
    identityProblem = () => undefined;
  } else {
    const kube = deps.kube;
    if (!kube) throw new PortcullisError('INTERNAL', 'cluster mode needs an API client');
    const identityMetrics = createIdentityMetrics(metrics.registry);
    identityWatcher = new IdentityWatcher({
      tokenFile: mode.identityTokenFile,
      audience: IDENTITY_AUDIENCE,
      review: deps.review ?? apiTokenReviewer(kube),
      refreshBeforeExpiryMs: 60_000,
      reviewIntervalMs: options.identityReviewIntervalMs,
      // An API server blip keeps the identity until the reviewed token expires (docs/sidecar.md).
      expiryMarginMs: 30_000,
      // 5 s, or half the review interval when that is shorter: a review never outlives the next one.
      reviewTimeoutMs: Math.min(5_000, Math.max(500, options.identityReviewIntervalMs / 2)),
      retryInitialMs: 500,
      retryMaxMs: 30_000,
      now: () => now().getTime(),
      log,
      onReview: (result, validUntilMs) => {
        identityMetrics.reviews.inc({ result });
        identityMetrics.validUntil.set(validUntilMs / 1000);
      },
      onChange: (identity, problem) => {
        metrics.identityVerified.set(identity ? 1 : 0);
        if (identity) log.info({ identity }, 'workload identity verified');
        else log.error({ problem }, 'workload identity unavailable; refusing requests');
        void state.setIdentity(identity);
      },
    });
    const watcher = identityWatcher;
    identityOf = () => watcher.current();
    identityProblem = () => watcher.lastProblem();
  }

  const audit = new AuditLog(deps.audit);
  const listeners: PortListeners = new PortListeners(
    (port) =>
      createHandler(port, {
        identity: identityOf,
        identityProblem,
        state: () => state.snapshot(),
        audit,
        metrics,
        log,
        requestId: randomUUID,
        responseTimeoutMs: options.upstreamResponseTimeoutMs,
        now,
      }),
    options.listenAddresses,
    log,
  );

  const readiness = (): { ready: boolean; reasons: string[]; rejected: string[]; credentials: string[] } => {
    const reasons: string[] = [];
    if (!identityOf()) reasons.push(`identity: ${identityProblem() ?? 'not verified'}`);
    const sync = state.syncProblem();
    if (sync) reasons.push(`policies: ${sync}`);
    return { ready: reasons.length === 0, reasons, rejected: state.rejected(), credentials: state.credentialProblems() };
  };
  const admin: Server = createAdminServer(metrics.registry, { readiness });

  let clusterStore: ClusterStore | undefined;
  let fileStore: FileStore | undefined;

  return {
    metrics,
    readiness,
    ports: () => listeners.ports(),
    adminAddress: () => admin.address() as AddressInfo,
    async start() {
      await new Promise<void>((resolve, reject) => {
        admin.once('error', reject);
        admin.listen(options.adminPort, options.adminAddress, () => resolve());
      });
      if (mode.kind === 'standalone') {
        await state.setIdentity(mode.identity);
        fileStore = new FileStore(mode.configPath, mode.identity.namespace, createResourceValidator(), {
          onLoad: (load) => void state.applyFiles(load),
        }, log);
        await fileStore.start();
      } else {
        const kube = deps.kube as KubeRestClient;
        clusterStore = new ClusterStore(kube, mode.namespace, createResourceValidator(), {
          onSources: (batch) => void state.applySources(batch),
          onPolicies: (batch) => void state.applyPolicies(batch),
        }, metrics, log, { initialBackoffMs: 200, maxBackoffMs: 30_000 });
        clusterStore.start();
        await identityWatcher?.start();
      }
    },
    async stop() {
      identityWatcher?.stop();
      clusterStore?.stop();
      fileStore?.stop();
      await listeners.close();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
      await state.close();
    },
  };
}
