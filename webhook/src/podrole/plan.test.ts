import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '@portcullis/shared';
import { bindingAction, ownedBy, planPodRole, podRoleName, roleAction } from './plan.js';

const injected = (name: string, extra: Partial<NonNullable<V1Pod['metadata']>> = {}, serviceAccountName?: string): V1Pod => ({
  metadata: { name, namespace: 'apps', uid: `uid-${name}`, annotations: { 'portcullis.dev/status': '{}' }, ...extra },
  spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'app' }, { name: SIDECAR_CONTAINER_NAME }] },
});

describe('podRoleName', () => {
  it('is portcullis-pod-<pod> when that fits', () => {
    expect(podRoleName('agent-7c9f')).toBe('portcullis-pod-agent-7c9f');
  });

  it('stays within 253 characters with a hash suffix, distinct for distinct long pod names', () => {
    const a = podRoleName(`${'a'.repeat(250)}x`);
    const b = podRoleName(`${'a'.repeat(250)}y`);
    expect(a).toHaveLength(253);
    expect(b).toHaveLength(253);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^portcullis-pod-a+-[0-9a-f]{10}$/);
    expect(podRoleName(`${'a'.repeat(250)}x`)).toBe(a);
  });
});

describe('planPodRole', () => {
  it('grants get/list/watch on the one pod by name, bound to its service account, owned by the pod', () => {
    const plan = planPodRole(injected('agent-0', {}, 'agent'));
    expect(plan).toMatchObject({ namespace: 'apps', name: 'portcullis-pod-agent-0' });
    expect(plan?.role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: ['agent-0'] }]);
    expect(plan?.role.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'agent-0', uid: 'uid-agent-0' }]);
    expect(plan?.binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'portcullis-pod-agent-0' });
    expect(plan?.binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'agent', namespace: 'apps' }]);
    expect(plan?.binding.metadata?.ownerReferences?.[0]?.uid).toBe('uid-agent-0');
  });

  it('binds the default service account when the pod names none', () => {
    expect(planPodRole(injected('a'))?.binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'default', namespace: 'apps' }]);
  });

  it('plans nothing for a pod the webhook did not inject (no status annotation, or no proxy container)', () => {
    expect(planPodRole({ metadata: { name: 'x', namespace: 'apps', uid: 'u' }, spec: { containers: [{ name: SIDECAR_CONTAINER_NAME }] } })).toBeUndefined();
    expect(planPodRole({ ...injected('x'), spec: { containers: [{ name: 'app' }] } })).toBeUndefined();
  });

  it('plans nothing for a pod without a name or UID yet, or being deleted', () => {
    expect(planPodRole(injected('x', { uid: '' }))).toBeUndefined();
    expect(planPodRole(injected('', {}))).toBeUndefined();
    expect(planPodRole(injected('x', { deletionTimestamp: new Date() }))).toBeUndefined();
  });

  it('never grants more than the one pod (a Role naming no resourceNames would grant every pod)', () => {
    for (const name of ['a', 'b-1', 'x'.repeat(253)]) {
      const rules = planPodRole(injected(name))?.role.rules ?? [];
      expect(rules).toHaveLength(1);
      expect(rules[0]?.resourceNames).toEqual([name]);
      expect(rules[0]?.verbs).toEqual(['get', 'list', 'watch']);
    }
  });
});

describe('roleAction and bindingAction', () => {
  const plan = planPodRole(injected('agent-0', {}, 'agent'));
  if (!plan) throw new Error('no plan');

  it('creates what is missing and leaves what matches', () => {
    expect(roleAction(undefined, plan.role)).toBe('create');
    expect(bindingAction(undefined, plan.binding)).toBe('create');
    expect(roleAction(structuredClone(plan.role), plan.role)).toBe('none');
    expect(bindingAction(structuredClone(plan.binding), plan.binding)).toBe('none');
  });

  it('repairs a Role whose rules were edited, or that a previous pod of the same name owns', () => {
    expect(roleAction({ ...plan.role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] }, plan.role)).toBe('update');
    const old = structuredClone(plan.role);
    old.metadata!.ownerReferences![0]!.uid = 'uid-of-a-previous-pod';
    expect(roleAction(old, plan.role)).toBe('update');
  });

  it('updates the subjects in place and recreates a binding whose roleRef differs (roleRef is immutable)', () => {
    expect(bindingAction({ ...plan.binding, subjects: [{ kind: 'ServiceAccount', name: 'other', namespace: 'apps' }] }, plan.binding)).toBe('update');
    expect(bindingAction({ ...plan.binding, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' } }, plan.binding)).toBe('recreate');
  });

  it('leaves alone an object of the same name that portcullis does not manage (an operator wrote it)', () => {
    expect(roleAction({ ...plan.role, metadata: { name: plan.name, namespace: 'apps' } }, plan.role)).toBe('foreign');
    expect(bindingAction({ ...plan.binding, metadata: { name: plan.name, namespace: 'apps' } }, plan.binding)).toBe('foreign');
  });

  it('ownedBy is true only for our object owned by that pod UID', () => {
    expect(ownedBy(plan.role, 'uid-agent-0')).toBe(true);
    expect(ownedBy(plan.role, 'uid-next-pod')).toBe(false);
    expect(ownedBy(undefined, 'uid-agent-0')).toBe(false);
    expect(ownedBy({ ...plan.role, metadata: { name: plan.name } }, 'uid-agent-0')).toBe(false);
  });
});
