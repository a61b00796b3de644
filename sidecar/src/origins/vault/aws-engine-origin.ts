import type { AwsCredentials, PortcullisError, ResolvedVaultAwsEngine } from '@portcullis/shared';
import { RefreshingValue, type Expiring } from '../refreshing-value.js';
import { issue, renewLease, revokeLease, type EngineLease } from './aws-engine.js';
import type { VaultSession } from './session.js';
import type { VaultTransport } from './vault-http.js';

export type EngineEvent =
  | { readonly kind: 'issued' | 'renewed'; readonly leaseSeconds: number }
  | { readonly kind: 'failed' | 'revoke-failed'; readonly error: PortcullisError };

export interface AwsEngineOriginOptions {
  readonly source: string;
  readonly spec: ResolvedVaultAwsEngine;
  readonly session: VaultSession;
  readonly transport: VaultTransport;
  /** The STS role session name for assumed_role (the pod); undefined until the identity is verified. */
  readonly sessionName: string | undefined;
  readonly now: () => number;
  readonly onEvent: (event: EngineEvent) => void;
}

/** Leases are renewed, or replaced, this long before they end (as STS credentials are, 5 min). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * AWS credentials from Vault's AWS secrets engine, cached until the lease ends: a renewable lease
 * (iam_user) is renewed ahead of its end until Vault stops extending it (the role's max TTL), then new
 * credentials are issued and the old lease revoked; STS credentials are re-issued ahead of their end.
 * A 403 makes the session log in again once. close() revokes the current lease (best effort).
 */
export class AwsEngineOrigin {
  readonly principal: Readonly<Record<string, string>>;
  private readonly cache: RefreshingValue<AwsCredentials>;
  private lease: EngineLease | undefined;
  /** A renewal gave less than the lease had: the max TTL is near, so the next refresh issues new credentials. */
  private capped = false;
  private lastError: PortcullisError | undefined;

  constructor(private readonly opts: AwsEngineOriginOptions) {
    this.principal = {
      vaultRole: `${opts.spec.mount}/${opts.spec.role}`,
      credentialType: opts.spec.credentialType,
      ...(opts.sessionName !== undefined && opts.spec.credentialType === 'assumed_role' ? { sessionName: opts.sessionName } : {}),
    };
    this.cache = new RefreshingValue(() => this.fetch(), {
      refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
      retryInitialMs: 1000,
      retryMaxMs: 30_000,
      now: opts.now,
      onBackgroundError: () => undefined, // reported through onEvent by fetch()
    });
  }

  /** Fetches ahead of the first request. */
  prefetch(): void {
    this.cache.refresh().catch(() => undefined);
  }

  get(): Promise<AwsCredentials> {
    return this.cache.get();
  }

  problem(): string | undefined {
    const lease = this.lease;
    return lease === undefined && this.lastError ? `${this.lastError.code}: ${this.lastError.message}` : undefined;
  }

  private async fetch(): Promise<Expiring<AwsCredentials>> {
    try {
      const fresh = await this.withToken((token) => this.renewOrIssue(token));
      this.lastError = undefined;
      return fresh;
    } catch (err) {
      this.lastError = err as PortcullisError;
      this.opts.onEvent({ kind: 'failed', error: err as PortcullisError });
      throw err;
    }
  }

  private async renewOrIssue(token: string): Promise<Expiring<AwsCredentials>> {
    const { transport, spec } = this.opts;
    const old = this.lease;
    if (old?.renewable && !this.capped) {
      try {
        const seconds = await renewLease(transport, token, old.leaseId, old.leaseSeconds);
        this.capped = seconds < old.leaseSeconds;
        this.opts.onEvent({ kind: 'renewed', leaseSeconds: seconds });
        return { value: old.credentials, expiresAtMs: this.opts.now() + seconds * 1000 };
      } catch (err) {
        if ((err as PortcullisError).code === 'VAULT_UNAVAILABLE') throw err;
        // The lease is gone or cannot be extended: issue new credentials below.
      }
    }
    const lease = await issue(transport, spec, token, this.opts.sessionName, this.opts.source);
    this.lease = lease;
    this.capped = false;
    this.opts.onEvent({ kind: 'issued', leaseSeconds: lease.leaseSeconds });
    if (old) void this.revoke(old.leaseId);
    return { value: lease.credentials, expiresAtMs: this.opts.now() + lease.leaseSeconds * 1000 };
  }

  /** Runs `call` with the session's token; on 403 the session logs in again once. */
  private async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.opts.session.token();
    try {
      return await call(token);
    } catch (err) {
      if ((err as PortcullisError).code !== 'VAULT_PERMISSION_DENIED') throw err;
      this.opts.session.invalidate(token);
      return call(await this.opts.session.token());
    }
  }

  private async revoke(leaseId: string): Promise<void> {
    try {
      await this.withToken((token) => revokeLease(this.opts.transport, token, leaseId));
    } catch (err) {
      this.opts.onEvent({ kind: 'revoke-failed', error: err as PortcullisError });
    }
  }

  /** Revokes the current lease (best effort): the IAM user or STS credentials end with the sidecar. */
  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await this.revoke(lease.leaseId);
  }
}
