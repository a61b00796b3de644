import { PortcullisError, type AwsCredentials } from '@portcullis/shared';
import type { Origin } from '../origin.js';
import { RefreshingValue, type Expiring } from '../refreshing-value.js';

export interface AssumeInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly token: string;
  readonly durationSeconds: number;
}

/** One AssumeRoleWithWebIdentity call; injectable so the cache is tested without STS. */
export type AssumeRole = (input: AssumeInput) => Promise<Expiring<AwsCredentials>>;

export interface WebIdentityOptions {
  /** Source name, for messages. */
  readonly source: string;
  readonly roleArn: string;
  /** Derived from the pod identity; undefined until TokenReview has verified it. */
  readonly sessionName: string | undefined;
  readonly durationSeconds: number;
  /** The projected token (audience sts.amazonaws.com), re-read on every refresh: the kubelet rotates it. */
  readonly tokenFile: string;
  /** Reads the token file (main.ts's Files). */
  readonly readText: (path: string) => Promise<string>;
  readonly assume: AssumeRole;
  /** Releases what `assume` holds (the STS client); called by close(). */
  readonly release?: () => void;
  readonly refreshBeforeExpiryMs: number;
  readonly now: () => number;
  readonly onRefresh: (result: 'loaded' | 'failed', detail: { expiresAt?: string; error?: string }) => void;
}

function unavailable(source: string, why: string, cause?: unknown): PortcullisError {
  return new PortcullisError('CREDENTIAL_UNAVAILABLE', `the AWS credentials of source "${source}" are unavailable: ${why}`, { cause });
}

/** The SDK's error name and message, which never contain the token; anything else is summarized. */
function stsProblem(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.slice(0, 300)}`;
  return 'unknown error';
}

/**
 * Temporary credentials for the source's role, obtained with the pod's projected web-identity token and a
 * session name derived from the workload; cached, refreshed ahead of expiry, one STS call in flight.
 */
export class WebIdentityCredentials implements Origin<AwsCredentials> {
  readonly principal: Readonly<Record<string, string>>;
  private readonly cache: RefreshingValue<AwsCredentials>;
  /** Why the last STS refresh failed, until one succeeds. */
  private failure: string | undefined;

  constructor(private readonly opts: WebIdentityOptions) {
    this.principal = opts.sessionName === undefined ? { roleArn: opts.roleArn } : { roleArn: opts.roleArn, sessionName: opts.sessionName };
    this.cache = new RefreshingValue(() => this.fetch(), {
      refreshBeforeExpiryMs: opts.refreshBeforeExpiryMs,
      retryInitialMs: 1000,
      retryMaxMs: 30_000,
      now: opts.now,
      onBackgroundError: () => undefined, // reported through onRefresh by fetch()
    });
  }

  /** Fetches ahead of the first request; failures are reported and retried on demand. */
  prefetch(): void {
    if (this.opts.sessionName !== undefined) this.cache.refresh().catch(() => undefined);
  }

  get(): Promise<AwsCredentials> {
    return this.cache.get();
  }

  problem(): string | undefined {
    return this.failure;
  }

  private async fetch(): Promise<Expiring<AwsCredentials>> {
    const { opts } = this;
    if (opts.sessionName === undefined) throw unavailable(opts.source, 'the pod identity is not verified yet, so no role session name can be derived');
    let token: string;
    try {
      token = (await opts.readText(opts.tokenFile)).trim();
    } catch (err) {
      const why = `the web-identity token ${opts.tokenFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check that the pod has the portcullis-sts projected volume`;
      this.failed(why);
      throw unavailable(opts.source, why, err);
    }
    try {
      const fresh = await opts.assume({ roleArn: opts.roleArn, sessionName: opts.sessionName, token, durationSeconds: opts.durationSeconds });
      this.failure = undefined;
      opts.onRefresh('loaded', { expiresAt: new Date(fresh.expiresAtMs).toISOString() });
      return fresh;
    } catch (err) {
      const why = `STS AssumeRoleWithWebIdentity for ${opts.roleArn} failed (${stsProblem(err)}); check the role's trust policy for this cluster's OIDC issuer and the token audience`;
      this.failed(why);
      throw unavailable(opts.source, why, err);
    }
  }

  private failed(why: string): void {
    this.failure = why;
    this.opts.onRefresh('failed', { error: why });
  }

  close(): void {
    this.opts.release?.();
  }
}
