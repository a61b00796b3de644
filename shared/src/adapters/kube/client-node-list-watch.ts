import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { customResourcePath, type CustomResourceRef, type KubeObject, type ListWatch, type WatchEventType } from './list-watch.js';

// Kept out of the package's main entry (import it from '@portcullis/shared/kube/client-node'): loading
// client-node costs ~1 s and ~77 MiB, which the sidecar must not pay (it uses ./rest instead).

interface ListResponse<T> {
  items?: T[];
  metadata?: { resourceVersion?: string };
}

/** List and watch one kind of custom resource in one namespace, or in all of them. */
export function customResourceListWatch<T extends KubeObject>(kc: KubeConfig, ref: CustomResourceRef): ListWatch<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(kc);
  const { group, version, plural, namespace } = ref;
  const path = customResourcePath(ref);
  return {
    async list() {
      const data = (await (namespace === undefined
        ? api.listClusterCustomObject({ group, version, plural })
        : api.listNamespacedCustomObject({ group, version, namespace, plural }))) as ListResponse<T>;
      return { items: data.items ?? [], resourceVersion: data.metadata?.resourceVersion ?? '' };
    },
    async watch(resourceVersion, onEvent, onDone) {
      const controller = await watcher.watch(
        path,
        { resourceVersion, allowWatchBookmarks: true },
        (type: string, obj: T) => onEvent(type as WatchEventType, obj),
        (err: unknown) => onDone(err ?? undefined),
      );
      return { abort: () => controller.abort() };
    },
  };
}
