import type { Logger } from 'pino';
import {
  CREDENTIAL_SOURCE_PLURAL,
  EGRESS_POLICY_PLURAL,
  GROUP,
  VERSION,
  type ResourceKind,
  type ResourceValidator,
} from '@portcullis/shared';
import { restListWatch, SupervisedInformer, type KubeObject, type KubeRestClient } from '@portcullis/shared/kube';
import type { Clock } from '../io/clock.js';
import type { SidecarMetrics } from '../metrics.js';
import { batchOf, candidateOf, type Candidate } from './candidates.js';
import { informerReport } from './informer-report.js';
import type { Batch } from './last-known-good.js';

export interface ClusterStoreHooks {
  onSources(batch: Batch<'CredentialSource'>): void;
  onPolicies(batch: Batch<'EgressPolicy'>): void;
}

/**
 * Validates the objects of one kind as the API gives them, each alone. The API server validated them
 * against the CRD it has installed, which may be older or newer than this sidecar's; an object is only
 * validated again when its resourceVersion changes.
 */
function validating(kind: ResourceKind, validator: ResourceValidator): (items: readonly KubeObject[]) => Candidate[] {
  let seen = new Map<string, { version: string | undefined; candidate: Candidate }>();
  return (items) => {
    const next = new Map<string, { version: string | undefined; candidate: Candidate }>();
    for (const item of items) {
      const id = `${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`;
      const version = item.metadata?.resourceVersion;
      const old = seen.get(id);
      next.set(id, old && version !== undefined && old.version === version ? old : { version, candidate: candidateOf(kind, item, 'api', validator) });
    }
    seen = next;
    return [...next.values()].map((e) => e.candidate);
  };
}

export interface ClusterStoreOptions {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** An open watch silent for this long is closed as dead (KUBE_WATCH_SILENT); default 90 s. */
  readonly watchIdleTimeoutMs?: number;
  /** Arms the informers' backoff timers (main.ts makes the real one). */
  readonly clock: Clock;
}

/** Watches the namespace's CredentialSources and EgressPolicies through supervised informers. */
export class ClusterStore {
  private readonly informers: { start(): void; stop(): void }[] = [];

  constructor(kube: KubeRestClient, namespace: string, validator: ResourceValidator, hooks: ClusterStoreHooks, metrics: SidecarMetrics, log: Logger, opts: ClusterStoreOptions) {
    const make = <T extends KubeObject>(plural: string, onChange: (items: readonly T[]) => void): SupervisedInformer<T> =>
      new SupervisedInformer<T>(
        restListWatch<T>(kube, { group: GROUP, version: VERSION, plural, namespace }, opts.watchIdleTimeoutMs === undefined ? {} : { watchIdleTimeoutMs: opts.watchIdleTimeoutMs }),
        informerReport(plural, onChange, metrics, log),
        {
          initialBackoffMs: opts.initialBackoffMs,
          maxBackoffMs: opts.maxBackoffMs,
          random: Math.random,
          setTimer: (fn, ms) => opts.clock.after(ms, fn),
          now: opts.clock.monotonicMs,
        },
      );
    const sources = validating('CredentialSource', validator);
    const policies = validating('EgressPolicy', validator);
    this.informers.push(
      make<KubeObject>(CREDENTIAL_SOURCE_PLURAL, (items) => hooks.onSources(batchOf('CredentialSource', sources(items)))),
      make<KubeObject>(EGRESS_POLICY_PLURAL, (items) => hooks.onPolicies(batchOf('EgressPolicy', policies(items)))),
    );
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }
}
