import type { Logger } from 'pino';
import {
  CREDENTIAL_SOURCE_PLURAL,
  EGRESS_POLICY_PLURAL,
  GROUP,
  SupervisedInformer,
  VERSION,
  type CredentialSource,
  type EgressPolicy,
  type KubeObject,
} from '@portcullis/shared';
import { restListWatch, type KubeRestClient } from '@portcullis/shared/kube-rest';
import type { SidecarMetrics } from '../metrics.js';

export interface ClusterStoreHooks {
  onSources(items: readonly CredentialSource[]): void;
  onPolicies(items: readonly EgressPolicy[]): void;
}

export interface ClusterStoreOptions {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** Watches the namespace's CredentialSources and EgressPolicies through supervised informers. */
export class ClusterStore {
  private readonly informers: { start(): void; stop(): void }[] = [];

  constructor(kube: KubeRestClient, namespace: string, hooks: ClusterStoreHooks, metrics: SidecarMetrics, log: Logger, opts: ClusterStoreOptions) {
    const make = <T extends KubeObject>(plural: string, onChange: (items: readonly T[]) => void): SupervisedInformer<T> =>
      new SupervisedInformer<T>(
        restListWatch<T>(kube, { group: GROUP, version: VERSION, plural, namespace }),
        {
          onChange,
          onConnect: () => metrics.informerReconnects.inc({ resource: plural }),
          onError: (err, retryInMs) => {
            metrics.informerErrors.inc({ resource: plural });
            log.warn({ resource: plural, retryInMs, problem: err instanceof Error ? err.message : String(err) }, 'list/watch failed; retrying');
          },
        },
        { ...opts, random: Math.random, setTimer: (fn, ms) => {
          const t = setTimeout(fn, ms);
          t.unref();
          return { cancel: () => clearTimeout(t) };
        } },
      );
    this.informers.push(
      make<CredentialSource>(CREDENTIAL_SOURCE_PLURAL, (items) => hooks.onSources(items)),
      make<EgressPolicy>(EGRESS_POLICY_PLURAL, (items) => hooks.onPolicies(items)),
    );
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }
}
