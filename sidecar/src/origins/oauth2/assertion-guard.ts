import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { PortcullisError } from '@portcullis/shared';

/** At most this many presented assertions are remembered (each is dropped once its own `exp` has passed). */
const MAX_REMEMBERED = 64;

/**
 * Presents each projected token at most once (jwt-bearer, RFC 7523): a strict server (Hydra) records the
 * assertion's `jti` and refuses it again as a replay, so presenting the same file twice would turn a
 * harmless refresh into an `invalid_grant`. The guard remembers the tokens already presented (by `jti`,
 * or by a hash when the token has none) until they expire; `claim()` refuses one seen before with
 * OAUTH2_ASSERTION_ALREADY_USED, and the origin keeps serving its current access token until the kubelet
 * has rotated the file (ADR 35). Memory only: after a sidecar restart the server's own refusal is the guard.
 */
export class AssertionGuard {
  /** jti (or sha256 of the token) → exp in epoch seconds (Infinity when the token has none). */
  private readonly presented = new Map<string, number>();
  /** What the server answered to a presented token that it refused: repeated instead of a vaguer "already used". */
  private readonly refusals = new Map<string, Error>();

  constructor(private readonly nowMs: () => number) {}

  /** Marks `token` as presented; throws when it was presented before. Returns the key to `release()` with. */
  claim(token: string, what: string): string {
    this.prune();
    let jti: unknown;
    let exp: unknown;
    try {
      ({ jti, exp } = decodeJwt(token));
    } catch {
      // Not a JWT: the server will say so; the hash still keeps it from being sent twice.
    }
    const key = typeof jti === 'string' && jti !== '' ? `jti:${jti}` : `sha256:${createHash('sha256').update(token).digest('base64url')}`;
    if (this.presented.has(key)) {
      const refusal = this.refusals.get(key);
      if (refusal !== undefined) throw refusal;
      const expires = typeof exp === 'number' ? ` (it expires at ${new Date(exp * 1000).toISOString()})` : '';
      throw new PortcullisError('OAUTH2_ASSERTION_ALREADY_USED', `${what}: the pod's projected token was already presented once and the server would refuse it as a replay; waiting for the kubelet to rotate it${expires}`);
    }
    if (this.presented.size >= MAX_REMEMBERED) {
      const oldest = this.presented.keys().next();
      if (!oldest.done) this.forget(oldest.value);
    }
    this.presented.set(key, typeof exp === 'number' ? exp : Number.POSITIVE_INFINITY);
    return key;
  }

  /** Forgets a claim whose request never reached the server (connection refused), so the token can still be used. */
  release(key: string): void {
    this.forget(key);
  }

  /** The server refused the token (`err`): later claims of it rethrow that error rather than "already used". */
  refused(key: string, err: unknown): void {
    if (this.presented.has(key) && err instanceof Error) this.refusals.set(key, err);
  }

  private forget(key: string): void {
    this.presented.delete(key);
    this.refusals.delete(key);
  }

  private prune(): void {
    const nowSeconds = this.nowMs() / 1000;
    for (const [key, exp] of this.presented) if (exp < nowSeconds) this.forget(key);
  }
}
