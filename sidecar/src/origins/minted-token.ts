import { PortcullisError, type ErrorCode } from '@portcullis/shared';
import { credentialValueProblem, type CredentialCharset } from './credential-value.js';
import { cleanProviderText } from './provider-text.js';
import type { Origin, OriginDeps } from './origin.js';
import { RefreshingValue, type Expiring } from './refreshing-value.js';

/** The pod a minted token is for, as the mint's log line names it: namespace/serviceAccount/pod. */
export function workloadOf(deps: Pick<OriginDeps, 'workload'>): string | undefined {
  const w = deps.workload;
  return w ? `${w.namespace}/${w.serviceAccount}/${w.podName}` : undefined;
}

export interface MintedTokenOptions {
  readonly source: string;
  /** The spec field of the origin (azureWorkloadIdentity, gcpWorkloadIdentity, githubApp): names it in logs. */
  readonly origin: string;
  /** Who the calls run as (for the audit line of every request); never a secret. */
  readonly principal: Readonly<Record<string, string>>;
  /** One exchange at the token endpoint; rejects with a PortcullisError of the origin's codes. */
  readonly mint: () => Promise<Expiring<string>>;
  /** The code of "cannot mint now" (used before the pod identity is verified). */
  readonly unavailableCode: ErrorCode;
  /** Where the token is put (a header needs visible ASCII). */
  readonly charset: CredentialCharset;
  readonly refreshBeforeExpiryMs: number;
  /** Releases clients; called by close(). */
  readonly release?: () => void;
  readonly deps: Pick<OriginDeps, 'workload' | 'metrics' | 'log' | 'clock'>;
}

/**
 * An http origin whose credential is a token minted for the pod at a token endpoint (Entra, Google STS,
 * GitHub): cached until `refreshBeforeExpiryMs` before it expires, refreshed in the background while still
 * served, one mint in flight however many requests wait (RefreshingValue). Every mint writes one log line
 * that names the pod and the token's expiry, never the token; failures are logged once per outage.
 * The first mint starts when the origin opens, so the first request rarely waits.
 */
export class MintedTokenOrigin implements Origin<string> {
  readonly principal: Readonly<Record<string, string>>;
  private readonly cache: RefreshingValue<string>;
  private readonly workload: string | undefined;
  private failure: string | undefined;
  private failing = false;

  constructor(private readonly opts: MintedTokenOptions) {
    this.principal = opts.principal;
    this.workload = workloadOf(opts.deps);
    const now = (): number => opts.deps.clock.now().getTime();
    this.cache = new RefreshingValue(() => this.mintOnce(), {
      refreshBeforeExpiryMs: opts.refreshBeforeExpiryMs,
      retryInitialMs: 1000,
      retryMaxMs: 30_000,
      now,
      onBackgroundError: () => undefined, // reported by mintOnce()
    });
    if (this.workload !== undefined) this.cache.refresh().catch(() => undefined);
  }

  get(): Promise<string> {
    return this.cache.get();
  }

  problem(): string | undefined {
    return this.failure;
  }

  close(): void {
    this.opts.release?.();
  }

  private async mintOnce(): Promise<Expiring<string>> {
    const { opts } = this;
    const { log, metrics } = opts.deps;
    // The mint's log line names the pod, so nothing is minted before TokenReview has verified it; the
    // store opens the origin again once it has (its configuration key includes the workload).
    if (this.workload === undefined) {
      throw new PortcullisError(opts.unavailableCode, `source "${opts.source}" does not mint a token before the pod identity is verified, so that every mint names the pod`);
    }
    let minted: Expiring<string>;
    try {
      minted = await opts.mint();
      const reason = credentialValueProblem(minted.value, opts.charset);
      if (reason !== undefined) throw new PortcullisError('CREDENTIAL_INVALID', `the token minted for source "${opts.source}" (${opts.origin}) cannot be injected: ${reason}`);
    } catch (err) {
      const e = err instanceof PortcullisError ? err : new PortcullisError(opts.unavailableCode, `minting a token for source "${opts.source}" (${opts.origin}) failed: ${err instanceof Error ? cleanProviderText(err.message) : 'unknown error'}`, { cause: err });
      metrics.credentialReloads.inc({ source: opts.source, result: 'failed' });
      this.failure = `${e.code}: ${e.message}`;
      const fields = { source: opts.source, origin: opts.origin, workload: this.workload, code: e.code, problem: e.message };
      if (this.failing) log.debug(fields, 'token mint still failing');
      else log.warn(fields, 'token mint failed; retrying with backoff');
      this.failing = true;
      throw e;
    }
    metrics.credentialReloads.inc({ source: opts.source, result: 'loaded' });
    log.info(
      { source: opts.source, origin: opts.origin, workload: this.workload, ...opts.principal, expiresAt: new Date(minted.expiresAtMs).toISOString() },
      this.failing ? 'token minted again' : 'token minted',
    );
    this.failure = undefined;
    this.failing = false;
    return minted;
  }
}
