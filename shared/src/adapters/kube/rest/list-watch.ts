import { PortcullisError } from '../../../errors/index.js';
import { customResourcePath, type CustomResourceRef, type KubeObject, type ListWatch, type WatchEventType } from '../list-watch.js';
import type { KubeRestClient } from './client.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

interface ListResponse<T> {
  items?: T[];
  metadata?: { resourceVersion?: string };
}

export interface RestListWatchOptions {
  /** Server-side timeout of one watch, drawn per watch from [min, 2·min) seconds as client-go does. */
  readonly watchTimeoutSeconds?: number;
  /**
   * A watch that delivers no byte for this long is closed as dead (KUBE_WATCH_SILENT). The watch asks for
   * bookmarks, which the API server's watch cache sends about once a minute to every watcher, so the
   * default of 90 s only fires on a dead connection or a frozen API server.
   */
  readonly watchIdleTimeoutMs?: number;
  readonly random?: () => number;
}

/** List and watch one kind of custom resource through the small REST client. */
export function restListWatch<T extends KubeObject>(client: KubeRestClient, ref: CustomResourceRef, opts: RestListWatchOptions = {}): ListWatch<T> {
  const path = customResourcePath(ref);
  const minTimeout = opts.watchTimeoutSeconds ?? 300;
  const idleTimeoutMs = opts.watchIdleTimeoutMs ?? 90_000;
  const random = opts.random ?? Math.random;
  return {
    async list() {
      const data = await client.json<ListResponse<T>>('GET', path);
      if (!Array.isArray(data.items)) throw new PortcullisError('KUBE_API_INVALID_ANSWER', `GET ${path}: the answer is not a list`);
      return { items: data.items, resourceVersion: data.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onDone) {
      const query = {
        resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(Math.floor(minTimeout * (1 + random()))),
      };
      return client.watch(
        path,
        query,
        (type, object) => {
          if (!EVENT_TYPES.has(type)) throw new PortcullisError('KUBE_API_INVALID_ANSWER', `watch ${path}: unknown event type ${JSON.stringify(type)}`);
          onEvent(type as WatchEventType, object as T);
        },
        onDone,
        { idleTimeoutMs },
      );
    },
  };
}
