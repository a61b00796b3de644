import { PortcullisError } from '@portcullis/shared';
import { cappedBackoffMs } from '../io/backoff.js';

/** A value that expires, such as temporary AWS credentials. */
export interface Expiring<T> {
  readonly value: T;
  readonly expiresAtMs: number;
  /** When to start the background refresh; default: `refreshBeforeExpiryMs` before expiry. */
  readonly refreshAtMs?: number;
}

export interface RefreshingValueOptions {
  /** Start refreshing this long before expiry, while still serving the current value. */
  readonly refreshBeforeExpiryMs: number;
  /** After a failed fetch, wait this long (doubling up to retryMaxMs) before the next one. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly now: () => number;
  /** A background refresh failed (the current value is still served until it expires). */
  readonly onBackgroundError: (err: unknown) => void;
}

/**
 * Caches a value fetched with `fetch`: served until `refreshBeforeExpiryMs` before it expires, then still
 * served while one background refresh runs; once expired, callers wait for the refresh. One fetch is in
 * flight at a time. After a failure, callers without a usable value get that error at once until the
 * backoff has passed, so a broken role does not turn every request into an STS call.
 */
export class RefreshingValue<T> {
  private current: Expiring<T> | undefined;
  private inFlight: Promise<Expiring<T>> | undefined;
  private failures = 0;
  private retryAtMs = 0;
  private lastError: Error | undefined;

  constructor(
    private readonly fetch: () => Promise<Expiring<T>>,
    private readonly opts: RefreshingValueOptions,
  ) {}

  get(): Promise<T> {
    const now = this.opts.now();
    const current = this.current;
    if (current && now < current.expiresAtMs) {
      const refreshAtMs = current.refreshAtMs ?? current.expiresAtMs - this.opts.refreshBeforeExpiryMs;
      if (now >= refreshAtMs && !this.inFlight && now >= this.retryAtMs) {
        this.refresh().catch(this.opts.onBackgroundError);
      }
      return Promise.resolve(current.value);
    }
    if (this.lastError !== undefined && now < this.retryAtMs && !this.inFlight) return Promise.reject(this.lastError);
    return this.refresh().then((v) => v.value);
  }

  /** Fetches now (joining a fetch in flight). */
  refresh(): Promise<Expiring<T>> {
    this.inFlight ??= this.fetch().then(
      (fresh) => {
        this.current = fresh;
        this.failures = 0;
        this.retryAtMs = 0;
        this.lastError = undefined;
        this.inFlight = undefined;
        return fresh;
      },
      (err: unknown) => {
        this.failures++;
        // A thrown non-Error is kept as INTERNAL, the code the handler gives any error without one.
        this.lastError = err instanceof Error ? err : new PortcullisError('INTERNAL', `the credential fetch failed with a non-Error value (${String(err).slice(0, 200)})`, { cause: err });
        this.retryAtMs = this.opts.now() + cappedBackoffMs(this.failures, this.opts.retryInitialMs, this.opts.retryMaxMs);
        this.inFlight = undefined;
        throw err;
      },
    );
    return this.inFlight;
  }
}
