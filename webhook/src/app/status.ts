import type { KubeConfig } from '@kubernetes/client-node';
import { createResourceValidator } from '@portcullis/shared';
import type { Logger } from 'pino';
import type { WebhookOptions } from '../config/options.js';
import type { WebhookMetrics } from '../metrics.js';
import type { Caches } from '../sources/caches.js';
import { StatusController } from '../status/controller.js';
import { apiSecretReader, apiStatusWriter } from '../status/kube.js';

/** The status controller over the caches: writes Ready conditions while this replica leads. */
export function createStatus(options: WebhookOptions, kc: KubeConfig, caches: Caches, metrics: WebhookMetrics, log: Logger, now: () => Date): StatusController {
  return new StatusController({
    sources: () => caches.sources.all(),
    policies: () => caches.policies.all(),
    synced: () => caches.sources.synced() && caches.policies.synced(),
    writer: apiStatusWriter(kc),
    secrets: options.status.checkSecrets ? apiSecretReader(kc) : undefined,
    now,
    validator: createResourceValidator(),
    log: log.child({ subsystem: 'status' }),
    metrics,
    debounceMs: options.status.debounceMs,
    resyncMs: options.status.resyncMs,
  });
}
