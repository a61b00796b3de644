import { createHash } from 'node:crypto';
import type { V1OwnerReference, V1Pod, V1PolicyRule, V1Role, V1RoleBinding, V1RoleRef, RbacV1Subject as V1Subject } from '@kubernetes/client-node';
import { isInjected } from '../inject/mutate.js';

// The per-pod Role of the kill switch (ADR 16): what the controller wants to exist for one pod. Pure: the
// pod in, the desired Role and RoleBinding (or nothing) out; the comparison with what exists is here too.

export const POD_ROLE_PREFIX = 'portcullis-pod-';
/** Object names are at most 253 characters (a DNS subdomain; pod names are too). */
const MAX_NAME = 253;
const HASH_CHARS = 10;
const RBAC_GROUP = 'rbac.authorization.k8s.io';
/** Marks the objects the controller owns, so it never changes a Role an operator wrote under that name. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'portcullis-webhook';

export interface PodRolePlan {
  readonly namespace: string;
  readonly name: string;
  readonly role: V1Role;
  readonly binding: V1RoleBinding;
}

/**
 * `portcullis-pod-<pod>`, or, when that passes 253 characters, its first 242 characters, `-` and 10 hex
 * characters of the SHA-256 of the pod's name (distinct pods keep distinct names).
 */
export function podRoleName(pod: string): string {
  const full = `${POD_ROLE_PREFIX}${pod}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(pod).digest('hex').slice(0, HASH_CHARS);
  return `${full.slice(0, MAX_NAME - HASH_CHARS - 1)}-${hash}`;
}

export const podRules = (pod: string): V1PolicyRule[] => [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: [pod] }];

/**
 * The Role and RoleBinding an injected, running pod needs to watch its own Pod object; undefined for a pod
 * the webhook did not inject, one not yet named or without a UID, or one being deleted. The owner
 * reference lets garbage collection delete both with the pod; no blockOwnerDeletion (setting it would
 * need update on pods/finalizers).
 */
export function planPodRole(pod: V1Pod): PodRolePlan | undefined {
  const meta = pod.metadata;
  const name = meta?.name;
  const namespace = meta?.namespace;
  const uid = meta?.uid;
  if (!name || !namespace || !uid || meta.deletionTimestamp || !isInjected(pod)) return undefined;
  const serviceAccount = pod.spec?.serviceAccountName || 'default';
  const roleName = podRoleName(name);
  const owner: V1OwnerReference = { apiVersion: 'v1', kind: 'Pod', name, uid };
  const metadata = { name: roleName, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY }, ownerReferences: [owner] };
  return {
    namespace,
    name: roleName,
    role: { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata, rules: podRules(name) },
    binding: {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  };
}

const sameOwners = (a: readonly V1OwnerReference[] | undefined, b: readonly V1OwnerReference[] | undefined): boolean =>
  JSON.stringify((a ?? []).map((o) => [o.apiVersion, o.kind, o.name, o.uid])) === JSON.stringify((b ?? []).map((o) => [o.apiVersion, o.kind, o.name, o.uid]));

const sameRules = (a: readonly V1PolicyRule[] | undefined, b: readonly V1PolicyRule[]): boolean => {
  const norm = (rules: readonly V1PolicyRule[]): string =>
    JSON.stringify(rules.map((r) => [r.apiGroups ?? [], r.resources ?? [], [...(r.verbs ?? [])].sort(), r.resourceNames ?? [], r.nonResourceURLs ?? []]));
  return norm(a ?? []) === norm(b);
};

const sameSubjects = (a: readonly V1Subject[] | undefined, b: readonly V1Subject[] | undefined): boolean =>
  JSON.stringify((a ?? []).map((s) => [s.kind, s.name, s.namespace ?? ''])) === JSON.stringify((b ?? []).map((s) => [s.kind, s.name, s.namespace ?? '']));

const sameRoleRef = (a: V1RoleRef, b: V1RoleRef): boolean => a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name;

const managed = (labels: Readonly<Record<string, string>> | undefined): boolean => labels?.[MANAGED_BY_LABEL] === MANAGED_BY;

/** What to do with the Role that exists (undefined: none) to reach the desired one. */
export type RoleAction = 'create' | 'none' | 'update' | 'foreign';
/** The RoleBinding's roleRef is immutable: a different one is deleted and created again. */
export type BindingAction = 'create' | 'none' | 'update' | 'recreate' | 'foreign';

export function roleAction(actual: V1Role | undefined, desired: V1Role): RoleAction {
  if (!actual) return 'create';
  if (!managed(actual.metadata?.labels)) return 'foreign';
  return sameRules(actual.rules, desired.rules ?? []) && sameOwners(actual.metadata?.ownerReferences, desired.metadata?.ownerReferences) ? 'none' : 'update';
}

export function bindingAction(actual: V1RoleBinding | undefined, desired: V1RoleBinding): BindingAction {
  if (!actual) return 'create';
  if (!managed(actual.metadata?.labels)) return 'foreign';
  if (!sameRoleRef(actual.roleRef, desired.roleRef)) return 'recreate';
  return sameSubjects(actual.subjects, desired.subjects) && sameOwners(actual.metadata?.ownerReferences, desired.metadata?.ownerReferences) ? 'none' : 'update';
}

/** True when the object exists, is ours and is owned by the pod with that UID (safe to delete for it). */
export function ownedBy(obj: V1Role | V1RoleBinding | undefined, podUid: string): boolean {
  return obj !== undefined && managed(obj.metadata?.labels) && (obj.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Pod' && o.uid === podUid);
}
