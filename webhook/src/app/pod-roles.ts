import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { WebhookOptions } from '../config/options.js';
import { apiFailure } from '../kube/api-errors.js';
import { ResourceCache } from '../kube/resource-cache.js';
import type { WebhookMetrics } from '../metrics.js';
import { PodRoleController } from '../podrole/controller.js';
import { apiPodRbac, podListWatch } from '../podrole/kube.js';

export interface PodRoles {
  readonly controller: PodRoleController;
  start(): void;
  stop(): void;
}

const timer = (fn: () => void, ms: number): { cancel(): void } => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The pod-role controller over its own Pod informer (every namespace, or one per watched namespace). The
 * informer runs on every replica so a new leader starts with a warm cache; only the leader writes.
 */
export function createPodRoles(options: WebhookOptions, kc: KubeConfig, metrics: WebhookMetrics, log: Logger): PodRoles {
  const podLog = log.child({ subsystem: 'pod-roles' });
  const namespaces = options.watchNamespaces;
  const lws = namespaces.length === 0 ? [podListWatch(kc, undefined)] : namespaces.map((ns) => podListWatch(kc, ns));
  const pods = new ResourceCache<V1Pod>(
    lws,
    {
      onChange: () => controller.changed(),
      onConnect: () => metrics.informerConnects.inc({ resource: 'pods' }),
      onError: (err, retryInMs) => {
        metrics.informerErrors.inc({ resource: 'pods' });
        podLog.warn({ resource: 'pods', retryInMs, ...apiFailure(err) }, 'list/watch failed; retrying');
      },
    },
    { initialBackoffMs: 500, maxBackoffMs: 30_000, random: Math.random, setTimer: timer },
  );
  const controller: PodRoleController = new PodRoleController({
    pods: () => pods.all(),
    synced: () => pods.synced(),
    rbac: apiPodRbac(kc),
    log: podLog,
    metrics,
    debounceMs: options.podRoles.debounceMs,
    resyncMs: options.podRoles.resyncMs,
    attempts: options.podRoles.attempts,
    initialBackoffMs: options.podRoles.initialBackoffMs,
    sleep,
  });
  return {
    controller,
    start: () => pods.start(),
    stop: () => {
      controller.stop();
      pods.stop();
    },
  };
}
