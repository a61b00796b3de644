import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** The two calls an informer makes; real ones come from `customResourceListWatch`, tests may fake them. */
export interface ListWatch<T extends KubeObject> {
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  /** Starts a watch from `resourceVersion`; `onDone` fires once when it ends, with the error if any. */
  watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, obj: T) => void,
    onDone: (err?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface CustomResourceRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** Omitted: every namespace (the webhook's view); set: one namespace (a sidecar's). */
  readonly namespace?: string;
}

interface ListResponse<T> {
  items?: T[];
  metadata?: { resourceVersion?: string };
}

/** List and watch one kind of custom resource in one namespace, or in all of them. */
export function customResourceListWatch<T extends KubeObject>(kc: KubeConfig, ref: CustomResourceRef): ListWatch<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(kc);
  const { group, version, plural, namespace } = ref;
  const path = namespace === undefined ? `/apis/${group}/${version}/${plural}` : `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
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
