import type { KubeObject, ListWatch, WatchEventType } from './list-watch.js';

export interface InformerHooks<T> {
  /** Called after every change of the cache with all objects (also after each relist). */
  onChange(items: readonly T[]): void;
  /**
   * A list or watch failed; the informer retries after `retryInMs`. `attempt` is 1 for the first failure
   * since the last successful list (log that one; count them all) and grows while the outage lasts.
   */
  onError(err: unknown, retryInMs: number, attempt: number): void;
  /** A list succeeded after `failedAttempts` failures that began `outageMs` ago: the outage is over. */
  onRecover?(failedAttempts: number, outageMs: number): void;
  /** A new watch connection was opened (count these: a flapping watch shows up here). */
  onConnect(): void;
}

export interface InformerOptions {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Jitter source in [0, 1); injected so tests are deterministic. */
  readonly random: () => number;
  readonly setTimer: (fn: () => void, ms: number) => { cancel(): void };
  /** Clock for the outage's length; default Date.now. */
  readonly now?: () => number;
}

const keyOf = (obj: KubeObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

function isGone(obj: unknown): boolean {
  return typeof obj === 'object' && obj !== null && (obj as { code?: number }).code === 410;
}

/**
 * List-then-watch with supervision, which client-node's informer leaves to the caller: a watch that ends
 * is resumed from the last resourceVersion; 410 Gone (or an ERROR event) triggers a fresh list; failures
 * back off exponentially with jitter up to `maxBackoffMs` and never stop the informer.
 */
export class SupervisedInformer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private failures = 0;
  /** Since when, and how many attempts, list/watch has been failing; undefined while healthy. */
  private outage: { readonly sinceMs: number; attempts: number } | undefined;
  private current: { abort(): void } | undefined;
  private timer: { cancel(): void } | undefined;

  constructor(
    private readonly lw: ListWatch<T>,
    private readonly hooks: InformerHooks<T>,
    private readonly opts: InformerOptions,
  ) {}

  start(): void {
    void this.relist();
  }

  /** True once a list has succeeded; stays true across reconnects (the cache is still the last truth). */
  hasSynced(): boolean {
    return this.synced;
  }

  items(): T[] {
    return [...this.cache.values()];
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.current?.abort();
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const { items, resourceVersion } = await this.lw.list();
      if (this.stopped) return;
      this.cache.clear();
      for (const item of items) this.cache.set(keyOf(item), item);
      this.resourceVersion = resourceVersion;
      this.synced = true;
      this.recovered();
      this.hooks.onChange(this.items());
      await this.watch();
    } catch (err) {
      this.retry(err, () => void this.relist());
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let needsRelist = false;
    const startedAt = this.now();
    this.current = await this.lw.watch(
      this.resourceVersion,
      (type, obj) => {
        if (!this.apply(type, obj)) return;
        // Flag first: a client may report the end synchronously from abort().
        needsRelist = true;
        this.current?.abort();
      },
      (err) => {
        this.current = undefined;
        if (this.stopped) return;
        if (err !== undefined) return this.retry(err, () => void this.relist());
        // A clean end (server timeout) resumes; a long-lived watch also resets the backoff.
        if (this.now() - startedAt > 30_000) this.failures = 0;
        if (needsRelist) void this.relist();
        else void this.watch().catch((e: unknown) => this.retry(e, () => void this.relist()));
      },
    );
    this.hooks.onConnect();
  }

  /** Applies one watch event; returns true when the watch must end and the informer list again. */
  private apply(type: WatchEventType, obj: T): boolean {
    if (type === 'ERROR') {
      if (isGone(obj)) this.resourceVersion = '';
      return true;
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK') return false;
    if (type === 'DELETED') this.cache.delete(keyOf(obj));
    else this.cache.set(keyOf(obj), obj);
    this.failures = 0;
    this.hooks.onChange(this.items());
    return false;
  }

  private recovered(): void {
    const outage = this.outage;
    if (outage === undefined) return;
    this.outage = undefined;
    this.hooks.onRecover?.(outage.attempts, this.now() - outage.sinceMs);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private retry(err: unknown, again: () => void): void {
    if (this.stopped) return;
    const base = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** this.failures);
    const delay = Math.round(base / 2 + (base / 2) * this.opts.random());
    this.failures++;
    this.outage ??= { sinceMs: this.now(), attempts: 0 };
    this.hooks.onError(err, delay, ++this.outage.attempts);
    this.timer = this.opts.setTimer(again, delay);
  }
}
