import { PortcullisError } from '@portcullis/shared';
import { renewSelf, revokeSelf, type VaultLogin } from './login.js';
import type { VaultTransport } from './vault-http.js';

export type SessionEvent =
  | { readonly kind: 'login'; readonly ttlSeconds: number }
  | { readonly kind: 'renewed'; readonly ttlSeconds: number }
  | { readonly kind: 'login-failed' | 'renew-failed'; readonly error: PortcullisError };

export interface VaultSessionOptions {
  readonly transport: VaultTransport;
  /** Obtains a fresh token: Kubernetes auth login, or (standalone) the token file looked up. */
  readonly login: () => Promise<VaultLogin>;
  readonly now: () => number;
  readonly onEvent: (event: SessionEvent) => void;
  /** After a failed login, wait this long (doubling up to retryMaxMs) before the next; default 1 s and 30 s. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Revoke the token at close(): yes for tokens the sidecar logged in for, never for a user's token file. */
  readonly revokeOnClose: boolean;
  /**
   * Runs `fn` after `delayMs` and returns a cancel function: the session renews its token on time even
   * when nobody asks for it between two polls (a TTL shorter than the poll interval). Absent: renewal
   * happens only when token() is called (unit tests drive it with their clock).
   */
  readonly schedule?: (delayMs: number, fn: () => void) => () => void;
}

interface Held {
  readonly token: string;
  readonly renewable: boolean;
  /** The TTL the token was issued with: a renewal that gives less has reached the max TTL. */
  readonly leaseSeconds: number;
  readonly expiresAtMs: number;
  /** Renew (or log in again) from here on, two thirds into the current TTL. */
  readonly refreshAtMs: number;
  /** A renewal gave less than asked: the max TTL is near, so the next refresh is a new login. */
  readonly capped: boolean;
}

/** A token is not handed out in its last seconds: a call made with it could arrive after it expired. */
const EXPIRY_MARGIN_MS = 2_000;

function held(login: VaultLogin, now: number, leaseSeconds: number, capped: boolean): Held {
  const ttlMs = login.ttlSeconds * 1000;
  return {
    token: login.token,
    renewable: login.renewable,
    leaseSeconds,
    expiresAtMs: login.ttlSeconds === 0 ? Infinity : now + ttlMs,
    refreshAtMs: login.ttlSeconds === 0 ? Infinity : now + (ttlMs * 2) / 3,
    capped,
  };
}

/**
 * The sidecar's Vault token, in memory only: obtained on first use, renewed two thirds into its TTL while
 * renewable, replaced by a new login once renewal reaches the max TTL, when Vault says 403 (invalidate)
 * or after it expired. One login or renewal in flight. A failed renewal keeps the token until it expires
 * (Vault may be down); a failed login is answered from memory until the backoff has passed.
 */
export class VaultSession {
  private current: Held | undefined;
  private inFlight: Promise<string> | undefined;
  private lastError: PortcullisError | undefined;
  private failures = 0;
  private retryAtMs = 0;
  private closed = false;
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly opts: VaultSessionOptions) {}

  /** A token valid now; logs in when there is none. Rejects with the VAULT_* error of the failed login. */
  token(): Promise<string> {
    const now = this.opts.now();
    const c = this.current;
    if (c && now < c.expiresAtMs - EXPIRY_MARGIN_MS) {
      if (now >= c.refreshAtMs && !this.inFlight && now >= this.retryAtMs) this.refresh().catch(() => undefined);
      return Promise.resolve(c.token);
    }
    if (this.lastError !== undefined && now < this.retryAtMs && !this.inFlight) return Promise.reject(this.lastError);
    return this.refresh();
  }

  /** Until when the current token is valid (Infinity: it does not expire); undefined without one. */
  validUntilMs(): number | undefined {
    return this.current?.expiresAtMs;
  }

  /** Vault refused this token (403): forget it, so the next token() logs in. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
    this.retryAtMs = 0;
  }

  private refresh(): Promise<string> {
    this.inFlight ??= this.renewOrLogin().finally(() => {
      this.inFlight = undefined;
      this.scheduleRefresh();
    });
    return this.inFlight;
  }

  private async renewOrLogin(): Promise<string> {
    const c = this.current;
    if (c && c.renewable && !c.capped && this.opts.now() < c.expiresAtMs - EXPIRY_MARGIN_MS) {
      try {
        const renewed = await renewSelf(this.opts.transport, c.token, c.leaseSeconds);
        if (this.current !== c) return this.current?.token ?? (await this.login());
        this.current = held(renewed, this.opts.now(), c.leaseSeconds, renewed.ttlSeconds < c.leaseSeconds);
        this.opts.onEvent({ kind: 'renewed', ttlSeconds: renewed.ttlSeconds });
        return renewed.token;
      } catch (err) {
        const error = err as PortcullisError;
        this.opts.onEvent({ kind: 'renew-failed', error });
        // Revoked or expired at Vault: log in now. Vault down: keep the token until it expires.
        if (error.code !== 'VAULT_PERMISSION_DENIED') {
          this.backoff(error);
          throw error;
        }
        this.current = undefined;
      }
    }
    return this.login();
  }

  private async login(): Promise<string> {
    if (this.closed) throw new PortcullisError('VAULT_UNAVAILABLE', 'the Vault session is closed');
    try {
      const fresh = await this.opts.login();
      this.current = held(fresh, this.opts.now(), fresh.ttlSeconds, false);
      this.failures = 0;
      this.retryAtMs = 0;
      this.lastError = undefined;
      this.opts.onEvent({ kind: 'login', ttlSeconds: fresh.ttlSeconds });
      return fresh.token;
    } catch (err) {
      const error = err instanceof PortcullisError ? err : new PortcullisError('VAULT_UNAVAILABLE', `Vault login failed: ${(err as Error).message}`, { cause: err });
      this.lastError = error;
      this.backoff(error);
      this.opts.onEvent({ kind: 'login-failed', error });
      throw error;
    }
  }

  /**
   * Wakes up at the refresh point, or after the backoff of a failed attempt, to renew or log in again
   * (every attempt ends by scheduling the next). Without a token and without a failure there is nothing
   * to keep alive.
   */
  private scheduleRefresh(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const c = this.current;
    if (!this.opts.schedule || this.closed || (!c && this.lastError === undefined)) return;
    const at = Math.max(c?.refreshAtMs ?? 0, this.retryAtMs);
    if (!Number.isFinite(at)) return;
    this.cancelTimer = this.opts.schedule(Math.max(0, at - this.opts.now()), () => {
      this.cancelTimer = undefined;
      this.token().catch(() => undefined);
      if (!this.inFlight) this.scheduleRefresh();
    });
  }

  private backoff(_error: PortcullisError): void {
    const initial = this.opts.retryInitialMs ?? 1000;
    this.retryAtMs = this.opts.now() + Math.min(initial * 2 ** this.failures, this.opts.retryMaxMs ?? 30_000);
    this.failures++;
  }

  /** Revokes the token (best effort, at shutdown): it dies with the sidecar, not at its TTL. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    const c = this.current;
    this.current = undefined;
    if (c && this.opts.revokeOnClose && c.expiresAtMs > this.opts.now()) await revokeSelf(this.opts.transport, c.token);
  }
}
