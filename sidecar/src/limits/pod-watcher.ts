import type { Logger } from 'pino';
import { SupervisedInformer, type InformerHooks, type KubeObject, type KubeRestClient } from '@portcullis/shared/kube';
import type { Clock } from '../io/clock.js';
import type { SidecarMetrics } from '../metrics.js';
import { informerReport } from '../store/informer-report.js';
import type { LimitMetrics } from './metrics.js';
import { ownPodListWatch } from './pod-list-watch.js';
import { podSuspension } from './suspension.js';

/**
 * The informer report, plus one line that says what a failing pod watch means: the pod label/annotation
 * kill switch is not seen (policy-level suspend still is) until the sidecar may read its own Pod.
 */
function podReport(report: InformerHooks<KubeObject>, log: Logger): InformerHooks<KubeObject> {
  return {
    ...report,
    onError: (err, retryInMs, attempt) => {
      report.onError(err, retryInMs, attempt);
      if (attempt === 1) {
        log.warn({ code: 'POLICY_WATCH_FAILED', resource: 'pods' }, "the pod's own object cannot be watched: a portcullis.dev/suspend label or annotation is not seen until it can (grant get/list/watch on this pod by resourceNames, ADR 16); EgressPolicy spec.suspend still works");
      }
    },
  };
}

/**
 * Watches the sidecar's own Pod for the kill switch. While the watch is down the last seen state holds
 * (a suspension stays in force; an API outage does not suspend a pod).
 */
export class PodSuspensionWatcher {
  private reason: string | undefined;
  private readonly informer: SupervisedInformer<KubeObject>;

  constructor(kube: KubeRestClient, namespace: string, podName: string, metrics: SidecarMetrics, limitMetrics: LimitMetrics, log: Logger, clock: Clock) {
    this.informer = new SupervisedInformer<KubeObject>(
      ownPodListWatch(kube, namespace, podName),
      podReport(informerReport<KubeObject>(
        'pods',
        (items) => {
          const pod = items.find((p) => p.metadata?.name === podName);
          const next = podSuspension(pod as Parameters<typeof podSuspension>[0]);
          if (next !== this.reason) {
            if (next) log.warn({ pod: podName, reason: next, code: 'SUSPENDED' }, 'pod suspended: every call is refused until the suspension is removed');
            else if (this.reason) log.info({ pod: podName }, 'pod suspension removed: calls resume');
          }
          this.reason = next;
          limitMetrics.suspended.set(next ? 1 : 0);
        },
        metrics,
        log,
      ), log),
      {
        initialBackoffMs: 200,
        maxBackoffMs: 30_000,
        random: Math.random,
        setTimer: (fn, ms) => clock.after(ms, fn),
      },
    );
  }

  current(): string | undefined {
    return this.reason;
  }

  start(): void {
    this.informer.start();
  }

  stop(): void {
    this.informer.stop();
  }
}
