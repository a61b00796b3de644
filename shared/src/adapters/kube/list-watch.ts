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

/** The collection path of a custom resource, namespaced or across all namespaces. */
export function customResourcePath(ref: CustomResourceRef): string {
  const { group, version, plural, namespace } = ref;
  return namespace === undefined ? `/apis/${group}/${version}/${plural}` : `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
}
