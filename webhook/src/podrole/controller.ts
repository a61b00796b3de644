import type { V1Pod, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiFailure } from '../kube/api-errors.js';
import { ReconcileLoop } from '../leader/reconcile-loop.js';
import type { WebhookMetrics } from '../metrics.js';
import type { PodRbac } from './kube.js';
import { bindingAction, ownedBy, planPodRole, podRoleName, roleAction, type PodRolePlan } from './plan.js';

export interface PodRoleControllerDeps {
  readonly pods: () => readonly V1Pod[];
  readonly synced: () => boolean;
  readonly rbac: PodRbac;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly debounceMs: number;
  /** Re-read and repair every Role this often (a Role deleted or edited by hand comes back). */
  readonly resyncMs: number;
  /** Attempts per pod and pass (≥ 1), the first retry after `initialBackoffMs`, doubling. */
  readonly attempts: number;
  readonly initialBackoffMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

interface Ensured {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  /** Service account and UID the objects were last verified for; cleared on resync. */
  fingerprint: string | undefined;
}

const keyOf = (namespace: string, pod: string): string => `${namespace}/${pod}`;

/**
 * The kill switch's per-pod Role (ADR 16): for every injected pod a Role `portcullis-pod-<pod>` allowing
 * get/list/watch on that one Pod and a RoleBinding to its service account, both owned by the pod. Runs
 * only on the Lease holder; reconciles after pod changes (debounced) and every `resyncMs`; deletes both
 * when it sees the pod gone (garbage collection does too, where kube-controller-manager runs).
 */
export class PodRoleController {
  private readonly ensured = new Map<string, Ensured>();

  private readonly loop: ReconcileLoop;

  constructor(private readonly deps: PodRoleControllerDeps) {
    this.loop = new ReconcileLoop({
      name: 'pod role',
      log: deps.log,
      debounceMs: deps.debounceMs,
      resyncMs: deps.resyncMs,
      reconcile: () => this.reconcile(),
      forget: () => {
        for (const e of this.ensured.values()) e.fingerprint = undefined;
      },
    });
  }


  setLeading(leading: boolean): void {
    this.loop.setLeading(leading);
  }

  /** What this controller watches changed: reconcile soon. */
  changed(): void {
    this.loop.changed();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One full pass (tests call it directly). */
  run(): Promise<void> {
    return this.loop.run();
  }

  private get leading(): boolean {
    return this.loop.leading;
  }

  private async reconcile(): Promise<void> {
    if (!this.leading || !this.deps.synced()) return;
    const present = new Set<string>();
    for (const pod of this.deps.pods()) {
      present.add(keyOf(pod.metadata?.namespace ?? '', pod.metadata?.name ?? ''));
      if (this.leading) await this.reconcilePod(pod);
    }
    for (const [key, gone] of this.ensured) {
      if (present.has(key) || !this.leading) continue;
      const name = podRoleName(gone.pod);
      if (await this.attempt('delete', gone.namespace, name, () => this.remove(gone, name))) this.ensured.delete(key);
    }
  }

  private async reconcilePod(pod: V1Pod): Promise<void> {
    const plan = planPodRole(pod);
    if (!plan) return;
    const podName = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    const key = keyOf(plan.namespace, podName);
    const fingerprint = `${uid}/${plan.binding.subjects?.[0]?.name ?? ''}`;
    if (this.ensured.get(key)?.fingerprint === fingerprint) return;
    const ok = await this.attempt('ensure', plan.namespace, plan.name, () => this.ensure(plan));
    this.ensured.set(key, { namespace: plan.namespace, pod: podName, uid, fingerprint: ok ? fingerprint : undefined });
  }

  private async ensure(plan: PodRolePlan): Promise<void> {
    const { rbac } = this.deps;
    const role = await rbac.readRole(plan.namespace, plan.name);
    const ra = roleAction(role, plan.role);
    if (ra === 'create') await rbac.createRole(plan.role);
    if (ra === 'update') await rbac.replaceRole({ ...plan.role, metadata: { ...plan.role.metadata, resourceVersion: role?.metadata?.resourceVersion } } as V1Role);
    this.record('role', ra, plan);
    const binding = await rbac.readBinding(plan.namespace, plan.name);
    const ba = bindingAction(binding, plan.binding);
    if (ba === 'recreate') await rbac.deleteBinding(plan.namespace, plan.name);
    if (ba === 'create' || ba === 'recreate') await rbac.createBinding(plan.binding);
    if (ba === 'update') await rbac.replaceBinding({ ...plan.binding, metadata: { ...plan.binding.metadata, resourceVersion: binding?.metadata?.resourceVersion } } as V1RoleBinding);
    this.record('rolebinding', ba, plan);
  }

  private record(kind: 'role' | 'rolebinding', action: string, plan: PodRolePlan): void {
    if (action === 'none') return;
    this.deps.metrics.podRoleWrites.inc({ kind, action, result: 'ok' });
    const fields = { kind, action, namespace: plan.namespace, name: plan.name };
    if (action === 'foreign') this.deps.log.warn(fields, 'an object of that name exists and is not managed by portcullis; left alone');
    else this.deps.log.info(fields, 'pod role written');
  }

  /** Deletes the pod's Role and RoleBinding if they are still ours and owned by that pod (not a successor). */
  private async remove(gone: Ensured, name: string): Promise<void> {
    const { rbac } = this.deps;
    if (ownedBy(await rbac.readBinding(gone.namespace, name), gone.uid)) {
      await rbac.deleteBinding(gone.namespace, name);
      this.deps.metrics.podRoleWrites.inc({ kind: 'rolebinding', action: 'delete', result: 'ok' });
    }
    if (ownedBy(await rbac.readRole(gone.namespace, name), gone.uid)) {
      await rbac.deleteRole(gone.namespace, name);
      this.deps.metrics.podRoleWrites.inc({ kind: 'role', action: 'delete', result: 'ok' });
    }
    this.deps.log.info({ namespace: gone.namespace, pod: gone.pod, name }, 'pod gone; pod role deleted');
  }

  /** Runs `fn` up to `attempts` times with doubling backoff; false after the last failure (logged, counted). */
  private async attempt(operation: 'ensure' | 'delete', namespace: string, name: string, fn: () => Promise<void>): Promise<boolean> {
    let delayMs = this.deps.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return true;
      } catch (err) {
        const last = attempt >= this.deps.attempts || !this.leading;
        this.deps.metrics.podRoleErrors.inc({ operation });
        const fields = { operation, namespace, name, attempt, ...apiFailure(err) };
        if (last) {
          this.deps.log.warn(fields, 'pod role failed; retrying on the next change or resync');
          return false;
        }
        this.deps.log.debug({ ...fields, retryInMs: delayMs }, 'pod role failed; retrying');
        await this.deps.sleep(delayMs);
        delayMs *= 2;
      }
    }
  }
}
