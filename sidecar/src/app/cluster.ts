import { dirname } from 'node:path';
import { createResourceValidator, IDENTITY_AUDIENCE } from '@portcullis/shared';
import type { KubeRestClient } from '@portcullis/shared/kube';
import type { Logger } from 'pino';
import type { SidecarOptions } from '../config/options.js';
import type { TokenReviewStatus } from '../identity/identity.js';
import { IdentityWatcher } from '../identity/identity-watcher.js';
import { createIdentityMetrics } from '../identity/metrics.js';
import { apiTokenReviewer } from '../identity/token-review.js';
import type { Clock } from '../io/clock.js';
import type { Files } from '../io/files.js';
import type { SidecarMetrics } from '../metrics.js';
import { ClusterStore } from '../store/cluster-store.js';
import type { SidecarState } from '../store/state.js';
import type { Mode } from './mode.js';

type Cluster = Extract<SidecarOptions['mode'], { kind: 'cluster' }>;

export interface ClusterDeps {
  readonly kube: KubeRestClient;
  /** Overrides TokenReview (tests of the pipeline without an API server). */
  readonly review: ((token: string, audience: string) => Promise<TokenReviewStatus>) | undefined;
  readonly metrics: SidecarMetrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly files: Files;
}

/** The pod's identity, reviewed with TokenReview and kept current; every change rebuilds the state. */
function createIdentityWatcher(mode: Cluster, reviewIntervalMs: number, state: SidecarState, deps: ClusterDeps): IdentityWatcher {
  const { metrics, log, clock, files } = deps;
  const identityMetrics = createIdentityMetrics(metrics.registry);
  return new IdentityWatcher({
    tokenFile: mode.identityTokenFile,
    audience: IDENTITY_AUDIENCE,
    review: deps.review ?? apiTokenReviewer(deps.kube),
    refreshBeforeExpiryMs: 60_000,
    reviewIntervalMs,
    // An API server blip keeps the identity until the reviewed token expires (docs/sidecar.md).
    expiryMarginMs: 30_000,
    // 5 s, or half the review interval when that is shorter: a review never outlives the next one.
    reviewTimeoutMs: Math.min(5_000, Math.max(500, reviewIntervalMs / 2)),
    retryInitialMs: 500,
    retryMaxMs: 30_000,
    now: () => clock.now().getTime(),
    setTimer: (fn, delayMs) => {
      const timer = clock.after(delayMs, fn);
      return () => timer.cancel();
    },
    readToken: () => files.readText(mode.identityTokenFile),
    watchToken: (onChange) => {
      const watched = files.watch({ dir: dirname(mode.identityTokenFile) }, onChange);
      return () => watched.close();
    },
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
}

/** Cluster mode: the identity from TokenReview, sources and policies watched on the API server. */
export function createClusterMode(mode: Cluster, options: SidecarOptions, state: SidecarState, deps: ClusterDeps): Mode {
  const watcher = createIdentityWatcher(mode, options.identityReviewIntervalMs, state, deps);
  const store = new ClusterStore(
    deps.kube,
    mode.namespace,
    createResourceValidator(),
    { onSources: (batch) => void state.applySources(batch), onPolicies: (batch) => void state.applyPolicies(batch) },
    deps.metrics,
    deps.log,
    { initialBackoffMs: 200, maxBackoffMs: 30_000, clock: deps.clock },
  );
  return {
    identity: () => watcher.current(),
    identityProblem: () => watcher.lastProblem(),
    async start() {
      store.start();
      await watcher.start();
    },
    stop() {
      watcher.stop();
      store.stop();
    },
  };
}
