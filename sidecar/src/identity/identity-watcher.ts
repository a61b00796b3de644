import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeJwt } from 'jose/jwt/decode'; // the subpath: the full entry costs ~10 MiB RSS per pod
import type { ErrorCode } from '@portcullis/shared';
import type { Logger } from 'pino';
import { identityFromReview, isIdentity, type Identity, type TokenReviewStatus } from './identity.js';
import type { ReviewResult } from './metrics.js';
import { nextReviewDelayMs } from './schedule.js';
import { TimeoutError, realTimer, withTimeout, type SetTimer } from './timers.js';

export interface IdentityWatcherOptions {
  readonly tokenFile: string;
  readonly audience: string;
  /** Calls TokenReview; the real one posts to the API server with the sidecar's own credentials. */
  readonly review: (token: string, audience: string) => Promise<TokenReviewStatus>;
  /** Re-review this long before the token expires (the kubelet rotates it at 80 % of its life). */
  readonly refreshBeforeExpiryMs: number;
  /**
   * Re-review this often on average (each delay jittered by ±10 %, schedule.ts), so a deleted pod's token
   * stops working within the longest delay plus the API server's token cache.
   */
  readonly reviewIntervalMs: number;
  /** A verified identity stays valid until the reviewed token's `exp` minus this (clock skew). */
  readonly expiryMarginMs: number;
  /** A TokenReview without an answer after this long counts as failed. */
  readonly reviewTimeoutMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly now: () => number;
  readonly log: Logger;
  readonly onChange: (identity: Identity | undefined, problem: string | undefined) => void;
  /** Every review attempt's outcome, and the validity deadline (ms since the epoch; 0: none). */
  readonly onReview?: (result: ReviewResult, validUntilMs: number) => void;
  readonly setTimer?: SetTimer;
  /** Uniform draws in [0, 1) for the jitter; default Math.random. */
  readonly random?: () => number;
  /** Reads the token; default: the file. */
  readonly readToken?: () => Promise<string>;
  /** Calls back when the token may have changed; returns a stop function. Default: fs.watch of its folder. */
  readonly watchToken?: (onChange: () => void) => () => void;
}

/** Log code of a failed re-review while the identity is kept (docs/errors.md). */
export const REVIEW_FAILED_CODE = 'IDENTITY_REVIEW_FAILED' satisfies ErrorCode;

function watchFolder(file: string): (onChange: () => void) => () => void {
  return (onChange) => {
    try {
      const watcher = watch(dirname(file), { persistent: false }, onChange);
      watcher.on('error', () => watcher.close());
      return () => watcher.close();
    } catch {
      return () => undefined; // folder missing: the retry loop finds the file once it appears
    }
  };
}

/**
 * Keeps the pod's verified identity current: reviews the projected token at start, when the file
 * changes, before it expires and every reviewIntervalMs ± 10 %. A review that fails (timeout, network, API
 * server error) keeps the identity until the reviewed token's own expiry minus a margin and is retried
 * with capped backoff; only an answer that refuses the token (authenticated: false, wrong audience, not
 * pod-bound) or that expiry clears it (fail closed).
 */
export class IdentityWatcher {
  private identity: Identity | undefined;
  private validUntilMs = 0;
  private problem: string | undefined = 'identity not reviewed yet';
  private failures = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private cancelReview: () => void = () => undefined;
  private cancelExpiry: () => void = () => undefined;
  private stopWatch: () => void = () => undefined;
  private readonly setTimer: SetTimer;

  constructor(private readonly opts: IdentityWatcherOptions) {
    this.setTimer = opts.setTimer ?? realTimer;
  }

  async start(): Promise<void> {
    this.stopWatch = (this.opts.watchToken ?? watchFolder(this.opts.tokenFile))(() => void this.review());
    await this.review();
  }

  /** The verified identity, or undefined once it has expired or been refused. */
  current(): Identity | undefined {
    if (this.identity !== undefined && this.opts.now() >= this.validUntilMs) this.expire();
    return this.identity;
  }

  lastProblem(): string | undefined {
    this.current();
    return this.problem;
  }

  stop(): void {
    this.stopped = true;
    this.cancelReview();
    this.cancelExpiry();
    this.stopWatch();
  }

  /** Reviews now; concurrent triggers share one review. */
  review(): Promise<void> {
    this.running ??= this.doReview().finally(() => (this.running = undefined));
    return this.running;
  }

  private async doReview(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    let status: TokenReviewStatus;
    try {
      token = (await (this.opts.readToken ?? (() => readFile(this.opts.tokenFile, 'utf8')))()).trim();
      status = await withTimeout(this.opts.review(token, this.opts.audience), this.opts.reviewTimeoutMs, 'TokenReview', REVIEW_FAILED_CODE, this.setTimer);
    } catch (err) {
      this.failed(err instanceof TimeoutError ? 'timeout' : 'error', (err as Error).message);
      return;
    }
    const result = identityFromReview(status, this.opts.audience);
    if (!isIdentity(result)) {
      // The API server answered and refused the token: no grace.
      this.validUntilMs = 0;
      this.cancelExpiry();
      this.set(undefined, `${this.opts.tokenFile}: ${result.problem}`);
      this.failed('rejected', result.problem);
      return;
    }
    if (this.failures > 0) this.opts.log.info({ failures: this.failures }, 'TokenReview succeeded again');
    this.failures = 0;
    const expMs = tokenExpMs(token);
    const nowMs = this.opts.now();
    const delayMs = nextReviewDelayMs({
      nowMs,
      tokenExpMs: expMs,
      refreshBeforeExpiryMs: this.opts.refreshBeforeExpiryMs,
      intervalMs: this.opts.reviewIntervalMs,
      random: this.opts.random ?? Math.random,
    });
    // The token's own expiry minus the margin; a token without a readable exp (TokenReview accepted it)
    // lasts until the next review has had its time to answer.
    this.validUntilMs = expMs !== undefined ? expMs - this.opts.expiryMarginMs : nowMs + delayMs + this.opts.reviewTimeoutMs;
    this.set(result, undefined);
    this.opts.onReview?.('verified', this.validUntilMs);
    this.schedule(delayMs);
    this.cancelExpiry();
    this.cancelExpiry = this.setTimer(() => this.current(), Math.max(0, this.validUntilMs - this.opts.now()));
  }

  private failed(result: Exclude<ReviewResult, 'verified'>, message: string): void {
    if (this.stopped) return;
    const kept = this.current() !== undefined;
    if (this.failures === 0 && result !== 'rejected') {
      // Once per outage; the counter and the next success tell the rest.
      this.opts.log.warn(
        { code: REVIEW_FAILED_CODE, result, err: message, identityValidUntil: kept ? new Date(this.validUntilMs).toISOString() : null },
        kept ? 'TokenReview failed; keeping the verified identity until its token expires and retrying' : 'TokenReview failed; retrying',
      );
    }
    if (!kept && result !== 'rejected') this.set(undefined, `${this.opts.tokenFile}: ${message}`);
    this.opts.onReview?.(result, this.validUntilMs);
    this.schedule(Math.min(this.opts.retryMaxMs, this.opts.retryInitialMs * 2 ** Math.min(this.failures++, 30)));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.cancelReview();
    this.cancelReview = this.setTimer(() => void this.review(), delayMs);
  }

  private expire(): void {
    const at = new Date(this.validUntilMs).toISOString();
    this.set(undefined, `the verified identity expired at ${at} (token expiry minus ${this.opts.expiryMarginMs} ms) and no TokenReview has succeeded since`);
  }

  private set(identity: Identity | undefined, problem: string | undefined): void {
    const changed = JSON.stringify(identity) !== JSON.stringify(this.identity) || problem !== this.problem;
    this.identity = identity;
    this.problem = problem;
    if (changed) this.opts.onChange(identity, problem);
  }
}

/** The token's `exp` in ms since the epoch; undefined when it is not a JWT with one. */
function tokenExpMs(token: string): number | undefined {
  try {
    const exp = decodeJwt(token).exp;
    return exp === undefined ? undefined : exp * 1000;
  } catch {
    return undefined;
  }
}
