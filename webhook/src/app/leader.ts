import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { WebhookOptions } from '../config/options.js';
import { LeaderElector } from '../leader/elector.js';
import type { WebhookMetrics } from '../metrics.js';
import type { Signal } from './signal.js';

/** The Lease elector; `leadership` tells the status controller and the certificate manager when it changes. */
export function createElector(options: WebhookOptions, kc: KubeConfig, metrics: WebhookMetrics, log: Logger, now: () => Date, leadership: Signal<boolean>): LeaderElector {
  return new LeaderElector(
    { namespace: options.namespace, name: options.lease.name, identity: options.identity, leaseDurationSeconds: options.lease.durationSeconds, retryIntervalMs: options.lease.retryIntervalMs },
    {
      api: kc.makeApiClient(CoordinationV1Api),
      log,
      nowMs: () => now().getTime(),
      onChange: (leading) => {
        metrics.leader.set(leading ? 1 : 0);
        leadership.emit(leading);
      },
    },
  );
}
