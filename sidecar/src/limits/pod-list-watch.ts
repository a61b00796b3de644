import { PortcullisError } from '@portcullis/shared';
import type { KubeObject, KubeRestClient, ListWatch, WatchEventType } from '@portcullis/shared/kube';

const EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * List and watch exactly one Pod, the sidecar's own, with `fieldSelector=metadata.name=<pod>`: the API
 * server authorizes such a list/watch against a Role rule with `resourceNames: [<pod>]`, so the
 * sidecar needs no right to read any other pod (ADR 16).
 */
export function ownPodListWatch(client: KubeRestClient, namespace: string, podName: string, opts: { watchTimeoutSeconds?: number; idleTimeoutMs?: number } = {}): ListWatch<KubeObject> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  const fieldSelector = `metadata.name=${podName}`;
  const timeout = opts.watchTimeoutSeconds ?? 300;
  return {
    async list() {
      const data = await client.json<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }>('GET', `${path}?fieldSelector=${encodeURIComponent(fieldSelector)}`);
      if (!Array.isArray(data.items)) throw new PortcullisError('KUBE_API_INVALID_ANSWER', `GET ${path}: the answer is not a list`);
      return { items: data.items, resourceVersion: data.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onDone) {
      return client.watch(
        path,
        { resourceVersion, fieldSelector, allowWatchBookmarks: 'true', timeoutSeconds: String(Math.floor(timeout * (1 + Math.random()))) },
        (type, object) => {
          if (!EVENT_TYPES.has(type)) throw new PortcullisError('KUBE_API_INVALID_ANSWER', `watch ${path}: unknown event type ${JSON.stringify(type)}`);
          onEvent(type as WatchEventType, object as KubeObject);
        },
        onDone,
        { idleTimeoutMs: opts.idleTimeoutMs ?? 90_000 },
      );
    },
  };
}
