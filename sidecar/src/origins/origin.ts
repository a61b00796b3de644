import type { Logger } from 'pino';
import type { Clock } from '../io/clock.js';
import type { Files } from '../io/files.js';
import type { SidecarMetrics } from '../metrics.js';
import type { SessionWorkload } from './aws-web-identity/session-name.js';
import type { AssumeRole } from './aws-web-identity/web-identity-credentials.js';

/**
 * Where a source's credential comes from (docs/design.md, "Credential origins"). A source asks its origin
 * for the credential on every request and injects it; the origin obtains it (reads a Secret file, calls
 * STS, …), keeps it current, and says what is wrong with it. Every origin is opened from the resolved
 * spec (`resolveSource()` of @portcullis/shared) by an `open.ts` beside it; see README.md.
 */
export interface Origin<T> {
  /**
   * The credential now: a value when it is at hand (a file already read), else a promise (a token
   * exchange). Throws or rejects with CREDENTIAL_UNAVAILABLE or CREDENTIAL_INVALID, never with the secret
   * in the message.
   */
  get(): T | Promise<T>;
  /** Why the credential cannot be used right now (listed under `credentials` in /readyz); undefined when it can. */
  problem(): string | undefined;
  /** Who the calls run as, for the audit line (a role and session name); never a secret. */
  readonly principal: Readonly<Record<string, string>>;
  /** Stops watching and refreshing, releases clients. */
  close(): void;
}

/** What an origin may use while it is opened: the sidecar's settings and reporting, nothing global. */
export interface OriginDeps {
  /** Secret volumes are mounted at <secretsDir>/<source>/<key>. */
  readonly secretsDir: string;
  /** Secret files are re-read this often besides file-system events. */
  readonly credentialPollIntervalMs: number;
  /** The projected token of audience sts.amazonaws.com (default /var/run/secrets/portcullis.dev/sts/token). */
  readonly stsTokenFile: string;
  /** The projected token of the Vault audience for Kubernetes auth (default /var/run/secrets/portcullis.dev/vault/token). */
  readonly vaultJwtFile: string;
  /** Standalone: a Vault token to use as is instead of a Kubernetes auth login (e.g. ~/.vault-token); undefined in a pod. */
  readonly vaultTokenFile: string | undefined;
  /** Folder of per-source projected tokens (`<dir>/<source>`, each of the audience its origin names); read through origin-token.ts. */
  readonly originTokensDir: string;
  /** The pod the sidecar serves (names STS sessions); undefined until first verified. */
  readonly workload: SessionWorkload | undefined;
  readonly metrics: SidecarMetrics;
  readonly log: Logger;
  /** Time and timers (main.ts makes the real one). */
  readonly clock: Clock;
  /** File reads and folder watches (main.ts makes the real one). */
  readonly files: Files;
  /** Tests: replaces STS AssumeRoleWithWebIdentity. */
  readonly assumeRole?: AssumeRole;
}
