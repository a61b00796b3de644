import { SupervisedInformer, type InformerHooks, type InformerOptions, type KubeObject, type ListWatch } from '@portcullis/shared/kube';

/** The informers' hooks, without the objects: the cache reindexes itself and then calls onChange(). */
export type ResourceCacheHooks = Pick<InformerHooks<unknown>, 'onError' | 'onConnect'> & { onChange(): void };

/** Backoff, jitter and timers of the informers (the webhook does not measure outages: no clock). */
export type ResourceCacheOptions = Pick<InformerOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'random' | 'setTimer'>;

/**
 * One kind of object from one or more supervised informers (all namespaces, or one per watched
 * namespace), indexed by namespace. Admission reads it; nothing here calls the API per admission.
 */
export class ResourceCache<T extends KubeObject> {
  private readonly informers: SupervisedInformer<T>[];
  private byNamespace = new Map<string, T[]>();

  constructor(listWatches: readonly ListWatch<T>[], private readonly hooks: ResourceCacheHooks, opts: ResourceCacheOptions) {
    this.informers = listWatches.map(
      (lw) =>
        new SupervisedInformer<T>(
          lw,
          { onChange: () => this.reindex(), onError: (err, ms, attempt) => hooks.onError(err, ms, attempt), onConnect: () => hooks.onConnect() },
          opts,
        ),
    );
  }

  start(): void {
    for (const i of this.informers) i.start();
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }

  /** True once every informer has listed successfully (it stays true across reconnects). */
  synced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  /** The namespace's objects sorted by name; undefined until synced. */
  inNamespace(namespace: string): readonly T[] | undefined {
    if (!this.synced()) return undefined;
    return this.byNamespace.get(namespace) ?? [];
  }

  all(): readonly T[] {
    return [...this.byNamespace.values()].flat();
  }

  private reindex(): void {
    const next = new Map<string, T[]>();
    for (const informer of this.informers) {
      for (const item of informer.items()) {
        const ns = item.metadata?.namespace ?? '';
        const list = next.get(ns);
        if (list) list.push(item);
        else next.set(ns, [item]);
      }
    }
    for (const list of next.values()) list.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    this.byNamespace = next;
    this.hooks.onChange();
  }
}
