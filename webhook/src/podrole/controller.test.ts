import { describe, expect, it } from '@jest/globals';
import type { V1Pod, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '@portcullis/shared';
import { pino } from 'pino';
import { createMetrics, type WebhookMetrics } from '../metrics.js';
import { PodRoleController } from './controller.js';
import type { PodRbac } from './kube.js';

const pod = (name: string, uid = `uid-${name}`, injected = true): V1Pod => ({
  metadata: { name, namespace: 'apps', uid, ...(injected ? { annotations: { 'portcullis.dev/status': '{}' } } : {}) },
  spec: { serviceAccountName: 'agent', containers: [{ name: 'app' }, ...(injected ? [{ name: SIDECAR_CONTAINER_NAME }] : [])] },
});

/** An in-memory RBAC API; `failures` makes the next N calls throw a 500. */
class FakeRbac implements PodRbac {
  roles = new Map<string, V1Role>();
  bindings = new Map<string, V1RoleBinding>();
  calls: string[] = [];
  failures = 0;
  private k = (ns: string, name: string): string => `${ns}/${name}`;
  private step(call: string): void {
    this.calls.push(call);
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('boom'), { code: 500 });
    }
  }
  readRole = (ns: string, name: string): Promise<V1Role | undefined> => (this.step('readRole'), Promise.resolve(structuredClone(this.roles.get(this.k(ns, name)))));
  createRole = (r: V1Role): Promise<void> => (this.step('createRole'), this.roles.set(this.k(r.metadata!.namespace!, r.metadata!.name!), structuredClone(r)), Promise.resolve());
  replaceRole = (r: V1Role): Promise<void> => (this.step('replaceRole'), this.roles.set(this.k(r.metadata!.namespace!, r.metadata!.name!), structuredClone(r)), Promise.resolve());
  deleteRole = (ns: string, name: string): Promise<void> => (this.step('deleteRole'), this.roles.delete(this.k(ns, name)), Promise.resolve());
  readBinding = (ns: string, name: string): Promise<V1RoleBinding | undefined> => (this.step('readBinding'), Promise.resolve(structuredClone(this.bindings.get(this.k(ns, name)))));
  createBinding = (b: V1RoleBinding): Promise<void> => (this.step('createBinding'), this.bindings.set(this.k(b.metadata!.namespace!, b.metadata!.name!), structuredClone(b)), Promise.resolve());
  replaceBinding = (b: V1RoleBinding): Promise<void> => (this.step('replaceBinding'), this.bindings.set(this.k(b.metadata!.namespace!, b.metadata!.name!), structuredClone(b)), Promise.resolve());
  deleteBinding = (ns: string, name: string): Promise<void> => (this.step('deleteBinding'), this.bindings.delete(this.k(ns, name)), Promise.resolve());
}

function setup(pods: V1Pod[], attempts = 3): { controller: PodRoleController; rbac: FakeRbac; metrics: WebhookMetrics; sleeps: number[]; pods: V1Pod[] } {
  const rbac = new FakeRbac();
  const metrics = createMetrics({ defaultMetrics: false });
  const sleeps: number[] = [];
  const controller = new PodRoleController({
    pods: () => pods,
    synced: () => true,
    rbac,
    log: pino({ level: 'silent' }),
    metrics,
    debounceMs: 1,
    resyncMs: 60_000,
    attempts,
    initialBackoffMs: 100,
    sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
  });
  return { controller, rbac, metrics, sleeps, pods };
}

describe('PodRoleController', () => {
  it('creates a Role and RoleBinding for each injected pod and none for others', async () => {
    const { controller, rbac } = setup([pod('agent-0'), pod('plain', 'u', false)]);
    controller.setLeading(true);
    await controller.run();
    controller.stop();
    expect([...rbac.roles.keys()]).toEqual(['apps/portcullis-pod-agent-0']);
    expect(rbac.roles.get('apps/portcullis-pod-agent-0')?.rules?.[0]?.resourceNames).toEqual(['agent-0']);
    expect(rbac.bindings.get('apps/portcullis-pod-agent-0')?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'agent', namespace: 'apps' }]);
  });

  it('writes nothing while not leading', async () => {
    const { controller, rbac } = setup([pod('agent-0')]);
    await controller.run();
    expect(rbac.calls).toEqual([]);
  });

  it('is idempotent: a second pass neither reads nor writes, a resync reads and writes nothing', async () => {
    const { controller, rbac } = setup([pod('agent-0')]);
    controller.setLeading(true);
    await controller.run();
    const after = rbac.calls.length;
    await controller.run();
    expect(rbac.calls.length).toBe(after);
    controller.setLeading(true); // what the resync timer does: forget what was verified
    await controller.run();
    controller.stop();
    expect(rbac.calls.slice(after)).toEqual(['readRole', 'readBinding']);
  });

  it('repairs a Role deleted or widened by hand on the next resync', async () => {
    const { controller, rbac } = setup([pod('agent-0')]);
    controller.setLeading(true);
    await controller.run();
    rbac.roles.get('apps/portcullis-pod-agent-0')!.rules![0]!.resourceNames = [];
    rbac.bindings.delete('apps/portcullis-pod-agent-0');
    controller.setLeading(true);
    await controller.run();
    controller.stop();
    expect(rbac.roles.get('apps/portcullis-pod-agent-0')?.rules?.[0]?.resourceNames).toEqual(['agent-0']);
    expect(rbac.bindings.has('apps/portcullis-pod-agent-0')).toBe(true);
  });

  it('deletes the Role and RoleBinding when the pod is gone', async () => {
    const s = setup([pod('agent-0')]);
    s.controller.setLeading(true);
    await s.controller.run();
    s.pods.length = 0;
    await s.controller.run();
    s.controller.stop();
    expect(s.rbac.roles.size).toBe(0);
    expect(s.rbac.bindings.size).toBe(0);
    expect(await s.metrics.podRoleWrites.get()).toMatchObject({ values: expect.arrayContaining([expect.objectContaining({ labels: { kind: 'role', action: 'delete', result: 'ok' }, value: 1 })]) as unknown });
  });

  it('does not delete a Role a successor pod of the same name owns', async () => {
    const s = setup([pod('db-0', 'uid-1')]);
    s.controller.setLeading(true);
    await s.controller.run();
    const role = s.rbac.roles.get('apps/portcullis-pod-db-0')!;
    role.metadata!.ownerReferences![0]!.uid = 'uid-2';
    s.pods.length = 0;
    await s.controller.run();
    s.controller.stop();
    expect(s.rbac.roles.has('apps/portcullis-pod-db-0')).toBe(true);
  });

  it('moves the owner to a pod recreated under the same name (StatefulSet)', async () => {
    const s = setup([pod('db-0', 'uid-1')]);
    s.controller.setLeading(true);
    await s.controller.run();
    s.pods[0] = pod('db-0', 'uid-2');
    await s.controller.run();
    s.controller.stop();
    expect(s.rbac.roles.get('apps/portcullis-pod-db-0')?.metadata?.ownerReferences?.[0]?.uid).toBe('uid-2');
    expect(s.rbac.bindings.get('apps/portcullis-pod-db-0')?.metadata?.ownerReferences?.[0]?.uid).toBe('uid-2');
  });

  it('leaves alone a Role of that name that an operator wrote', async () => {
    const s = setup([pod('agent-0')]);
    s.rbac.roles.set('apps/portcullis-pod-agent-0', { metadata: { name: 'portcullis-pod-agent-0', namespace: 'apps' }, rules: [] });
    s.controller.setLeading(true);
    await s.controller.run();
    s.controller.stop();
    expect(s.rbac.roles.get('apps/portcullis-pod-agent-0')?.rules).toEqual([]);
    expect(s.rbac.calls).not.toContain('replaceRole');
  });

  it('retries a failed call with doubling backoff, then succeeds', async () => {
    const s = setup([pod('agent-0')]);
    s.rbac.failures = 2;
    s.controller.setLeading(true);
    await s.controller.run();
    s.controller.stop();
    expect(s.sleeps).toEqual([100, 200]);
    expect(s.rbac.roles.size).toBe(1);
    expect((await s.metrics.podRoleErrors.get()).values).toEqual([expect.objectContaining({ labels: { operation: 'ensure' }, value: 2 })]);
  });

  it('gives up after the bounded attempts and tries again on the next pass', async () => {
    const s = setup([pod('agent-0')], 2);
    s.rbac.failures = 2;
    s.controller.setLeading(true);
    await s.controller.run();
    expect(s.sleeps).toEqual([100]);
    expect(s.rbac.roles.size).toBe(0);
    await s.controller.run();
    s.controller.stop();
    expect(s.rbac.roles.size).toBe(1);
  });
});
