import { V1MicroTime, type CoordinationV1Api, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiFailure, isNotFound } from '../kube/api-errors.js';
import { decideLease, type Observation } from './decide.js';

export interface ElectorOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly retryIntervalMs: number;
}

export interface ElectorDeps {
  readonly api: CoordinationV1Api;
  readonly log: Logger;
  readonly nowMs: () => number;
  readonly onChange: (leading: boolean) => void;
}

/**
 * Lease-based leader election (coordination.k8s.io/v1) with optimistic concurrency on every write. A
 * leader that cannot renew for a whole lease duration steps down before anyone may take over.
 */
export class LeaderElector {
  private leading = false;
  private observation: Observation | undefined;
  private lastRenewMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: ElectorOptions, private readonly deps: ElectorDeps) {}

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Stops campaigning and releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.set(false);
    try {
      const lease = await this.deps.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.deps.api.replaceNamespacedLease({
        name: this.opts.name,
        namespace: this.opts.namespace,
        body: { ...lease, spec: { holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(this.deps.nowMs()), leaseTransitions: lease.spec.leaseTransitions ?? 0 } },
      });
    } catch (err) {
      this.deps.log.warn(apiFailure(err), 'could not release the Lease; it expires by itself');
    }
  }

  private async loop(): Promise<void> {
    try {
      await this.tryOnce();
    } catch (err) {
      this.deps.log.debug(apiFailure(err), 'Lease update failed');
      if (this.leading && this.deps.nowMs() - this.lastRenewMs > this.opts.leaseDurationSeconds * 1000) {
        this.deps.log.warn('could not renew the Lease for a whole lease duration; stepping down');
        this.set(false);
      }
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.loop(), this.opts.retryIntervalMs);
      this.timer.unref();
    }
  }

  private async tryOnce(): Promise<void> {
    const { api } = this.deps;
    const { name, namespace } = this.opts;
    let lease: V1Lease | undefined;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const now = this.deps.nowMs();
    const decision = decideLease(lease, this.opts.identity, now, this.observation);
    this.observation = decision.observation;
    if (decision.action === 'follow') return this.set(false);
    const spec = this.leaseSpec(lease, decision.action === 'renew', now);
    if (decision.action === 'create' || !lease) await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } });
    else await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
    this.lastRenewMs = now;
    this.set(true);
  }

  private leaseSpec(lease: V1Lease | undefined, renewing: boolean, nowMs: number): V1LeaseSpec {
    // Times as V1MicroTime: the API server parses MicroTime with exactly six fractional digits.
    const renewTime = new V1MicroTime(nowMs);
    const acquired = lease?.spec?.acquireTime;
    const transitions = lease?.spec?.leaseTransitions;
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: this.opts.leaseDurationSeconds,
      renewTime,
      acquireTime: renewing && acquired ? new V1MicroTime(acquired) : renewTime,
      leaseTransitions: renewing ? (transitions ?? 0) : (transitions ?? -1) + 1,
    };
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.deps.log.info({ identity: this.opts.identity }, leading ? 'became leader' : 'not the leader');
    this.deps.onChange(leading);
  }
}
