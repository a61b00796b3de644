import type { KubeConfig } from '@kubernetes/client-node';
import {
  CREDENTIAL_SOURCE_PLURAL,
  EGRESS_POLICY_PLURAL,
  GROUP,
  VERSION,
  type CredentialSource,
  type EgressPolicy,
} from '@portcullis/shared';
import type { KubeObject, ListWatch } from '@portcullis/shared/kube';
import { customResourceListWatch } from '@portcullis/shared/kube/client-node';
import type { Logger } from 'pino';
import { apiFailure } from '../kube/api-errors.js';
import { ResourceCache } from '../kube/resource-cache.js';
import type { WebhookMetrics } from '../metrics.js';

export interface Caches {
  readonly sources: ResourceCache<CredentialSource & KubeObject>;
  readonly policies: ResourceCache<EgressPolicy & KubeObject>;
  start(): void;
  stop(): void;
}

export interface CachesDeps {
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly onChange: () => void;
}

const timer = (fn: () => void, ms: number): { cancel(): void } => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

/** CredentialSource and EgressPolicy caches over every namespace, or one informer per watched namespace. */
export function createCaches(kc: KubeConfig, namespaces: readonly string[], deps: CachesDeps): Caches {
  const make = <T extends KubeObject>(plural: string): ResourceCache<T> => {
    const ref = { group: GROUP, version: VERSION, plural };
    const lws: ListWatch<T>[] =
      namespaces.length === 0 ? [customResourceListWatch<T>(kc, ref)] : namespaces.map((namespace) => customResourceListWatch<T>(kc, { ...ref, namespace }));
    return new ResourceCache<T>(
      lws,
      {
        onChange: deps.onChange,
        onConnect: () => deps.metrics.informerConnects.inc({ resource: plural }),
        onError: (err, retryInMs) => {
          deps.metrics.informerErrors.inc({ resource: plural });
          deps.log.warn({ resource: plural, retryInMs, ...apiFailure(err) }, 'list/watch failed; retrying');
        },
      },
      { initialBackoffMs: 500, maxBackoffMs: 30_000, random: Math.random, setTimer: timer },
    );
  };
  const sources = make<CredentialSource & KubeObject>(CREDENTIAL_SOURCE_PLURAL);
  const policies = make<EgressPolicy & KubeObject>(EGRESS_POLICY_PLURAL);
  return {
    sources,
    policies,
    start: () => {
      sources.start();
      policies.start();
    },
    stop: () => {
      sources.stop();
      policies.stop();
    },
  };
}
