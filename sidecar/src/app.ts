import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLimitStore, PortcullisError, type LimitStore } from '@portcullis/shared';
import type { KubeRestClient } from '@portcullis/shared/kube';
import type { Logger } from 'pino';
import { createAdminServer } from './admin/server.js';
import { createClusterMode } from './app/cluster.js';
import type { Mode } from './app/mode.js';
import { createProxyListeners, sourceHandlers } from './app/proxy-listeners.js';
import { readinessOf, type Readiness } from './app/readiness.js';
import { createStandaloneMode } from './app/standalone.js';
import { AuditLog, type AuditSink } from './audit/audit-log.js';
import { createAddressGuard } from './egress/address-guard.js';
import { createEgressMetrics } from './egress/metrics.js';
import { PodCa, type Pki } from './egress/mitm/pod-ca.js';
import { EgressProxy } from './egress/proxy-server.js';
import type { Handler } from './proxy/listeners.js';
import { drainServer, nodeHttp } from '@portcullis/shared/http';
import type { Lookup } from './egress/resolve-target.js';
import type { SidecarOptions } from './config/options.js';
import type { TokenReviewStatus } from './identity/identity.js';
import type { Clock } from './io/clock.js';
import type { Files } from './io/files.js';
import { createLimitMetrics, type LimitMetrics } from './limits/metrics.js';
import { createMetrics, type SidecarMetrics } from './metrics.js';
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
  /** Time and timers (main.ts: systemClock()). */
  readonly clock: Clock;
  /** File reads and folder watches (main.ts: nodeFiles(clock)). */
  readonly files: Files;
  readonly defaultMetrics?: boolean;
  /** Counters of limits wider than one pod (Redis, built by main from the options); none: those limits fail closed. */
  readonly sharedLimitStore?: LimitStore;
  /** DNS for the HTTPS_PROXY port (main.ts: dns.promises.lookup, all addresses); tests map names themselves. */
  readonly lookup?: Lookup;
  /** Addresses of the cluster's API server, which tunnels never reach unless a rule names the host. */
  readonly apiServerAddresses?: readonly string[];
  /**
   * Certificate minting (@portcullis/shared/pki, loaded by main only when the proxy port is on): with it
   * the proxy port terminates TLS for hosts sources serve; without it those hosts are tunnel rules' too.
   */
  readonly pki?: Pki;
}

/** How long opening a tunnel's TCP connection may take. */
const EGRESS_CONNECT_TIMEOUT_MS = 10_000;
/** /metrics and /readyz answer at once; a scrape still open after this is cut. */
const ADMIN_DRAIN_MS = 1_000;

/** How long an in-flight slot or budget reservation of a call that never ended (a crashed sidecar) is held. */
const LIMIT_LEASE_MS = 15 * 60_000;

export interface Sidecar {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly metrics: SidecarMetrics;
  /** Source ports currently listened on. */
  ports(): number[];
  /** The HTTPS_PROXY port's address once started; undefined when --proxy-port is not set. */
  proxyAddress(): AddressInfo | undefined;
  /** The pod CA's certificate (public) for the apps to trust; undefined without proxy mode's TLS. */
  caCertPem(): string | undefined;
  adminAddress(): AddressInfo;
  /**
   * `rejected`: invalid objects and files; `credentials`: sources whose credential cannot be used. Neither
   * makes the sidecar unready: the other sources keep serving (docs/sidecar.md).
   */
  readiness(): Readiness;
}

/** The state the request path reads: sources (with their credential origins) and compiled policies. */
function createState(options: SidecarOptions, deps: SidecarDeps, metrics: SidecarMetrics): SidecarState {
  const mode = options.mode;
  return new SidecarState({
    sourceFilter: options.sources,
    secretsDir: options.secretsDir,
    stsTokenFile: options.stsTokenFile,
    vaultJwtFile: options.vaultJwtFile,
    vaultTokenFile: options.vaultTokenFile,
    originTokensDir: options.originTokensDir,
    credentialPollIntervalMs: options.credentialPollIntervalMs,
    labels: mode.kind === 'standalone' ? mode.labels : (deps.labels ?? {}),
    metrics,
    log: deps.log,
    clock: deps.clock,
    files: deps.files,
  });
}

function createMode(options: SidecarOptions, deps: SidecarDeps, metrics: SidecarMetrics, limitMetrics: LimitMetrics, state: SidecarState): Mode {
  const mode = options.mode;
  if (mode.kind === 'standalone') return createStandaloneMode(mode, state, deps);
  if (!deps.kube) throw new PortcullisError('INTERNAL', 'cluster mode needs an API client');
  return createClusterMode(mode, options, state, { kube: deps.kube, review: deps.review, metrics, limitMetrics, log: deps.log, clock: deps.clock, files: deps.files });
}

/** The HTTPS_PROXY port, when --proxy-port asks for one. */
function createEgress(options: SidecarOptions, deps: SidecarDeps, state: SidecarState, mode: Mode, metrics: SidecarMetrics, handlers: (port: number) => Handler): { proxy: EgressProxy; caCertPem: string | undefined } | undefined {
  if (options.proxyPort === undefined) return undefined;
  const servers = new Map<number, Server>();
  const mitm = deps.pki
    ? {
        ca: new PodCa(deps.pki, deps.clock.now),
        serverFor(port: number): Server {
          let server = servers.get(port);
          if (!server) {
            // Never listens: the decrypted connections of proxy mode are handed to it one by one.
            server = nodeHttp.createServer({ requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 65_000 }, handlers(port));
            servers.set(port, server);
          }
          return server;
        },
      }
    : undefined;
  const lookup: Lookup = deps.lookup ?? (() => Promise.reject(new PortcullisError('INTERNAL', 'no DNS lookup was given to the sidecar')));
  const proxy = new EgressProxy(
    options.proxyPort,
    options.listenAddresses,
    {
      identity: () => mode.identity(),
      identityProblem: () => mode.identityProblem(),
      state: () => state.snapshot(),
      podSuspension: () => mode.podSuspension(),
      lookup,
      guard: createAddressGuard(deps.apiServerAddresses ?? []),
      audit: new AuditLog(deps.audit),
      metrics: createEgressMetrics(metrics.registry),
      requestId: randomUUID,
      now: deps.clock.now,
      connectTimeoutMs: EGRESS_CONNECT_TIMEOUT_MS,
      ...(mitm ? { mitm } : {}),
    },
    deps.log,
  );
  return { proxy, caCertPem: mitm?.ca.certPem };
}

/**
 * Builds the sidecar from parsed options; nothing listens or watches until start(). Each part is built
 * after what it needs: state → mode (identity and the config store) → proxy listeners → admin server.
 */
export function buildSidecar(options: SidecarOptions, deps: SidecarDeps): Sidecar {
  const { log } = deps;
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? true });
  const state = createState(options, deps, metrics);
  const limitMetrics = createLimitMetrics(metrics.registry);
  const mode = createMode(options, deps, metrics, limitMetrics, state);
  const limits = {
    stores: { memory: new MemoryLimitStore(), shared: deps.sharedLimitStore, leaseMs: LIMIT_LEASE_MS },
    metrics: limitMetrics,
    nowMs: () => deps.clock.now().getTime(),
  };
  const listenerDeps = { audit: new AuditLog(deps.audit), metrics, log, clock: deps.clock, limits };
  const handlers = sourceHandlers(options, state, mode, listenerDeps);
  const listeners = createProxyListeners(options, state, mode, listenerDeps);
  const egress = createEgress(options, deps, state, mode, metrics, handlers);
  const readiness = readinessOf(state, mode, () => listeners.ports());
  const admin: Server = createAdminServer(metrics.registry, { readiness });

  return {
    metrics,
    readiness,
    ports: () => listeners.ports(),
    proxyAddress: () => egress?.proxy.address(),
    caCertPem: () => egress?.caCertPem,
    adminAddress: () => admin.address() as AddressInfo,
    async start() {
      await new Promise<void>((resolve, reject) => {
        admin.once('error', reject);
        admin.listen(options.adminPort, options.adminAddress, () => resolve());
      });
      await egress?.proxy.start();
      await mode.start();
    },
    async stop() {
      mode.stop();
      // /readyz stays up while the source ports drain: the kubelet may still probe a terminating pod.
      const [, cut] = await Promise.all([egress?.proxy.close(), listeners.close(options.drainTimeoutMs)]);
      if (cut > 0) log.warn({ servers: cut, drainTimeoutMs: options.drainTimeoutMs }, 'requests still in flight at the drain deadline were cut');
      await drainServer(admin, { deadlineMs: ADMIN_DRAIN_MS });
      await state.close();
    },
  };
}
