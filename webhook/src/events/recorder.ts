import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PodEvent } from '../admission/handle.js';
import { apiFailure } from '../kube/api-errors.js';
import type { WebhookMetrics } from '../metrics.js';

export interface EventRecorderDeps {
  readonly core: Pick<CoreV1Api, 'createNamespacedEvent'>;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly now: () => Date;
  /** This replica, for Event.reportingInstance. */
  readonly instance: string;
  /** Events waiting beyond this are dropped (and counted): admission never waits for them. */
  readonly maxQueued: number;
}

/** Records Warning Events about pods in the background, one API call at a time, off the admission path. */
export class EventRecorder {
  private readonly queue: PodEvent[] = [];
  private draining = false;

  constructor(private readonly deps: EventRecorderDeps) {}

  record(events: readonly PodEvent[]): void {
    for (const e of events) {
      if (this.queue.length >= this.deps.maxQueued) {
        this.deps.metrics.events.inc({ result: 'dropped' });
        continue;
      }
      this.queue.push(e);
    }
    if (!this.draining) void this.drain();
  }

  /** Resolves once the queue is empty (tests and shutdown). */
  async flush(): Promise<void> {
    while (this.draining || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) await this.send(e);
    } finally {
      this.draining = false;
    }
  }

  private async send(e: PodEvent): Promise<void> {
    const now = this.deps.now();
    const body: CoreV1Event = {
      metadata: { generateName: 'portcullis-', namespace: e.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: e.namespace, name: e.podName },
      reason: e.reason,
      message: e.message,
      type: 'Warning',
      source: { component: 'portcullis-webhook' },
      reportingComponent: 'portcullis.dev/webhook',
      reportingInstance: this.deps.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.deps.core.createNamespacedEvent({ namespace: e.namespace, body });
      this.deps.metrics.events.inc({ result: 'sent' });
    } catch (err) {
      this.deps.metrics.events.inc({ result: 'failed' });
      this.deps.log.warn({ ...apiFailure(err), namespace: e.namespace, reason: e.reason }, 'could not record an Event');
    }
  }
}
