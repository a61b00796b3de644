import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeJwt } from 'jose/jwt/decode'; // the subpath: the full entry costs ~10 MiB RSS per pod
import { identityFromReview, isIdentity, type Identity, type TokenReviewStatus } from './identity.js';

export interface IdentityWatcherOptions {
  readonly tokenFile: string;
  readonly audience: string;
  /** Calls TokenReview; the real one posts to the API server with the sidecar's own credentials. */
  readonly review: (token: string, audience: string) => Promise<TokenReviewStatus>;
  /** Re-review this long before the token expires (the kubelet rotates it at 80 % of its life). */
  readonly refreshBeforeExpiryMs: number;
  /** Re-review at least this often, so a deleted pod's token stops working promptly. */
  readonly maxReviewIntervalMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly now: () => number;
  readonly onChange: (identity: Identity | undefined, problem: string | undefined) => void;
}

/**
 * Keeps the pod's verified identity current: reviews the projected token at start, when the file
 * changes, before it expires and periodically. Any failure clears the identity (fail closed) and retries
 * with capped backoff.
 */
export class IdentityWatcher {
  private identity: Identity | undefined;
  private problem: string | undefined = 'identity not reviewed yet';
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private failures = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: IdentityWatcherOptions) {}

  async start(): Promise<void> {
    try {
      this.watcher = watch(dirname(this.opts.tokenFile), { persistent: false }, () => void this.review());
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined; // folder missing: the retry loop finds the file once it appears
    }
    await this.review();
  }

  current(): Identity | undefined {
    return this.identity;
  }

  lastProblem(): string | undefined {
    return this.problem;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  /** Reviews now; concurrent triggers share one review. */
  review(): Promise<void> {
    this.running ??= this.doReview().finally(() => (this.running = undefined));
    return this.running;
  }

  private async doReview(): Promise<void> {
    if (this.stopped) return;
    let next: number;
    try {
      const token = (await readFile(this.opts.tokenFile, 'utf8')).trim();
      const result = identityFromReview(await this.opts.review(token, this.opts.audience), this.opts.audience);
      if (!isIdentity(result)) throw new Error(result.problem);
      this.set(result, undefined);
      this.failures = 0;
      next = this.nextReviewIn(token);
    } catch (err) {
      this.set(undefined, `${this.opts.tokenFile}: ${(err as Error).message}`);
      next = Math.min(this.opts.retryMaxMs, this.opts.retryInitialMs * 2 ** this.failures++);
    }
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.review(), next);
    this.timer.unref();
  }

  private nextReviewIn(token: string): number {
    let untilExpiry = Number.POSITIVE_INFINITY;
    try {
      const exp = decodeJwt(token).exp;
      if (exp !== undefined) untilExpiry = exp * 1000 - this.opts.now() - this.opts.refreshBeforeExpiryMs;
    } catch {
      // Not a JWT we can read: TokenReview accepted it, so fall back to the periodic review.
    }
    return Math.max(1000, Math.min(untilExpiry, this.opts.maxReviewIntervalMs));
  }

  private set(identity: Identity | undefined, problem: string | undefined): void {
    const changed = JSON.stringify(identity) !== JSON.stringify(this.identity) || problem !== this.problem;
    this.identity = identity;
    this.problem = problem;
    if (changed) this.opts.onChange(identity, problem);
  }
}
