import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, ListWatch, WatchEventType } from '@portcullis/shared';

interface ListResponse<T> {
  items?: T[];
  metadata?: { resourceVersion?: string };
}

/** List and watch one kind of custom resource across all namespaces (shared has the per-namespace one). */
export function clusterCustomResourceListWatch<T extends KubeObject>(
  kc: KubeConfig,
  ref: { readonly group: string; readonly version: string; readonly plural: string },
): ListWatch<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(kc);
  const path = `/apis/${ref.group}/${ref.version}/${ref.plural}`;
  return {
    async list() {
      const data = (await api.listClusterCustomObject({ group: ref.group, version: ref.version, plural: ref.plural })) as ListResponse<T>;
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
