import { CoreV1Api, RbacAuthorizationV1Api, Watch, type KubeConfig, type V1Pod, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import type { ListWatch, WatchEventType } from '@portcullis/shared/kube';
import { isNotFound } from '../kube/api-errors.js';

/** The RBAC calls of the pod-role controller; reads of a missing object and deletes of one return undefined. */
export interface PodRbac {
  readRole(namespace: string, name: string): Promise<V1Role | undefined>;
  createRole(role: V1Role): Promise<void>;
  replaceRole(role: V1Role): Promise<void>;
  deleteRole(namespace: string, name: string): Promise<void>;
  readBinding(namespace: string, name: string): Promise<V1RoleBinding | undefined>;
  createBinding(binding: V1RoleBinding): Promise<void>;
  replaceBinding(binding: V1RoleBinding): Promise<void>;
  deleteBinding(namespace: string, name: string): Promise<void>;
}

const orUndefined = async <T>(call: Promise<T>): Promise<T | undefined> => {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
};

const nsName = (o: V1Role | V1RoleBinding): { namespace: string; name: string } => ({ namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' });

export function apiPodRbac(kc: KubeConfig): PodRbac {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  return {
    readRole: (namespace, name) => orUndefined(rbac.readNamespacedRole({ namespace, name })),
    createRole: async (role) => void (await rbac.createNamespacedRole({ namespace: nsName(role).namespace, body: role })),
    replaceRole: async (role) => void (await rbac.replaceNamespacedRole({ ...nsName(role), body: role })),
    deleteRole: async (namespace, name) => void (await orUndefined(rbac.deleteNamespacedRole({ namespace, name }))),
    readBinding: (namespace, name) => orUndefined(rbac.readNamespacedRoleBinding({ namespace, name })),
    createBinding: async (b) => void (await rbac.createNamespacedRoleBinding({ namespace: nsName(b).namespace, body: b })),
    replaceBinding: async (b) => void (await rbac.replaceNamespacedRoleBinding({ ...nsName(b), body: b })),
    deleteBinding: async (namespace, name) => void (await orUndefined(rbac.deleteNamespacedRoleBinding({ namespace, name }))),
  };
}

/** List and watch Pods in one namespace or in all of them (the pod-role controller's informer). */
export function podListWatch(kc: KubeConfig, namespace: string | undefined): ListWatch<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(kc);
  const path = namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${namespace}/pods`;
  return {
    async list() {
      const data = namespace === undefined ? await core.listPodForAllNamespaces() : await core.listNamespacedPod({ namespace });
      return { items: data.items, resourceVersion: data.metadata?.resourceVersion ?? '' };
    },
    async watch(resourceVersion, onEvent, onDone) {
      const controller = await watcher.watch(
        path,
        { resourceVersion, allowWatchBookmarks: true },
        (type: string, obj: V1Pod) => onEvent(type as WatchEventType, obj),
        (err: unknown) => onDone(err ?? undefined),
      );
      return { abort: () => controller.abort() };
    },
  };
}
