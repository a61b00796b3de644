import { PortcullisError, type ErrorCode } from '@portcullis/shared';
import type { Origin } from '../origin.js';
import { RefreshingValue, type Expiring } from '../refreshing-value.js';
import { tokenRequestFailure, type TokenRequestFailure, type TokenRequestResult } from './oauth2-error.js';
import type { MintedToken } from './mint.js';

/** What one mint reports, for the log line, the audit of mints and the metric. */
export type MintEvent =
  | { readonly kind: 'minted'; readonly scope: string; readonly expiresInSeconds: number; readonly durationMs: number }
  | { readonly kind: 'failed'; readonly failure: TokenRequestFailure; readonly stillServing: boolean };

export interface OAuth2OriginOptions {
  readonly source: string;
  /** One token request (discovery, client authentication, the grant); throws on failure. */
  readonly mint: () => Promise<MintedToken>;
  /** Checks the token can be injected (header characters); throws CREDENTIAL_INVALID when it cannot. */
  readonly check: (accessToken: string) => string;
  /** The token is refreshed at this fraction of its lifetime, minus up to `jitterFraction` of it. */
  readonly refreshAtFraction: number;
  readonly jitterFraction: number;
  /** A token is treated as expired this long before its `expires_in` runs out (clock skew, transit). */
  readonly expirySkewMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly now: () => number;
  /** In [0, 1): the jitter (tests pass a fixed one). */
  readonly random: () => number;
  readonly onEvent: (e: MintEvent) => void;
  readonly principal: Readonly<Record<string, string>>;
  readonly close?: () => void;
}

/**
 * An OAuth2 access token for one source and this pod: minted on first use (or ahead of it), kept in
 * memory only, refreshed in the background at `refreshAtFraction` of its lifetime with jitter (so a fleet
 * of pods does not mint in step), one request in flight (RefreshingValue). A token is served only until
 * its own expiry: while the token endpoint is down it is used as long as it is valid, then every call
 * fails closed with the mint's code until a mint succeeds again.
 */
export class OAuth2Origin implements Origin<string> {
  readonly principal: Readonly<Record<string, string>>;
  private readonly cache: RefreshingValue<string>;
  private failure: PortcullisError | undefined;
  private validUntilMs = 0;

  constructor(private readonly opts: OAuth2OriginOptions) {
    this.principal = opts.principal;
    this.cache = new RefreshingValue(() => this.fetch(), {
      refreshBeforeExpiryMs: 0,
      retryInitialMs: opts.retryInitialMs,
      retryMaxMs: opts.retryMaxMs,
      now: opts.now,
      onBackgroundError: () => undefined, // reported through onEvent by fetch()
    });
  }

  /** Mints ahead of the first request; a failure is reported and retried on demand. */
  prefetch(): void {
    this.cache.refresh().catch(() => undefined);
  }

  get(): Promise<string> {
    return this.cache.get();
  }

  problem(): string | undefined {
    const f = this.failure;
    if (f === undefined) return undefined;
    const serving = this.opts.now() < this.validUntilMs;
    return serving ? undefined : `${f.code}: ${f.message}`;
  }

  close(): void {
    this.opts.close?.();
  }

  private async fetch(): Promise<Expiring<string>> {
    const { opts } = this;
    const startedMs = opts.now();
    let minted: MintedToken;
    try {
      minted = await opts.mint();
    } catch (err) {
      const failure = tokenRequestFailure(err, `minting an OAuth2 token for source "${opts.source}"`);
      this.failure = failure.error;
      opts.onEvent({ kind: 'failed', failure, stillServing: opts.now() < this.validUntilMs });
      throw failure.error;
    }
    let value: string;
    try {
      value = opts.check(minted.accessToken);
    } catch (err) {
      const code: ErrorCode = err instanceof PortcullisError ? err.code : 'OAUTH2_ANSWER_INVALID';
      const error = new PortcullisError(code, `minting an OAuth2 token for source "${opts.source}": ${(err as Error).message}`);
      this.failure = error;
      opts.onEvent({ kind: 'failed', failure: { error, result: 'invalid_answer' satisfies TokenRequestResult, oauthError: undefined }, stillServing: opts.now() < this.validUntilMs });
      throw error;
    }
    const lifetimeMs = minted.expiresInSeconds * 1000;
    // Counted from when the request was sent: the server's clock started no earlier.
    const expiresAtMs = startedMs + lifetimeMs - Math.min(opts.expirySkewMs, lifetimeMs / 10);
    const refreshAtMs = startedMs + lifetimeMs * (opts.refreshAtFraction - opts.jitterFraction * opts.random());
    this.failure = undefined;
    this.validUntilMs = expiresAtMs;
    opts.onEvent({ kind: 'minted', scope: minted.scope, expiresInSeconds: minted.expiresInSeconds, durationMs: opts.now() - startedMs });
    return { value, expiresAtMs, refreshAtMs };
  }
}
