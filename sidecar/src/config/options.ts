import type { SidecarLogLevel } from '@portcullis/shared';

// Defaults of the files and ports below live in the webhook↔sidecar contract (@portcullis/shared
// SIDECAR_DEFAULT_FILES, SIDECAR_ADMIN_PORT): the webhook mounts exactly there.

/** How the sidecar reaches the API server: a kubeconfig file, or a token + CA (in-cluster). */
export type ApiAccess =
  | { readonly kind: 'kubeconfig'; readonly path: string }
  | { readonly kind: 'token'; readonly server: string; readonly tokenFile: string; readonly caFile: string };

export interface ClusterMode {
  readonly kind: 'cluster';
  readonly namespace: string;
  readonly identityTokenFile: string;
  readonly api: ApiAccess;
  /** Downward-API labels file; absent file means no labels. */
  readonly labelsFile: string;
}

export interface StandaloneMode {
  readonly kind: 'standalone';
  readonly configPath: string;
  readonly identity: { readonly namespace: string; readonly serviceAccount: string; readonly podName: string; readonly podUID: string };
  readonly labels: Readonly<Record<string, string>>;
}

export interface SidecarOptions {
  readonly mode: ClusterMode | StandaloneMode;
  readonly sources: ReadonlySet<string> | undefined;
  readonly secretsDir: string;
  /** Projected token (audience sts.amazonaws.com by default) for STS AssumeRoleWithWebIdentity. */
  readonly stsTokenFile: string;
  /** Projected token (audience vault by default) for Vault's Kubernetes auth login. */
  readonly vaultJwtFile: string;
  /** A Vault token used as is instead of a login (standalone mode on a laptop: e.g. ~/.vault-token). */
  readonly vaultTokenFile: string | undefined;
  /** Folder of the projected tokens credential origins present to their token endpoints: `<dir>/<source>`. */
  readonly originTokensDir: string;
  readonly listenAddresses: readonly string[];
  /**
   * The HTTPS_PROXY port (CONNECT and absolute-form http://) on the listen addresses; undefined: none
   * (docs/proxy-mode.md). 0 picks a free port (tests).
   */
  readonly proxyPort: number | undefined;
  /**
   * Where proxy mode writes the pod CA's certificate (`ca.crt`) and a bundle of the system roots plus it
   * (`ca-bundle.crt`) for the app containers, which mount the folder read-only. Never a key.
   */
  readonly proxyCaDir: string;
  readonly adminAddress: string;
  readonly adminPort: number;
  readonly upstreamResponseTimeoutMs: number;
  /** A WebSocket tunnel with no byte either way for this long is closed (default 300 s). */
  readonly websocketIdleTimeoutMs: number;
  /**
   * On SIGTERM, requests in flight get this long to finish (default 10 s); then what is still open is cut
   * and the sidecar exits. Well inside Kubernetes' default 30 s grace period.
   */
  readonly drainTimeoutMs: number;
  readonly credentialPollIntervalMs: number;
  /**
   * Mean time between periodic reviews of the identity token (each jittered by ±10 %), so a deleted pod's
   * sidecar stops serving; default 900 s (ADR 7).
   */
  readonly identityReviewIntervalMs: number;
  readonly logLevel: SidecarLogLevel;
  /**
   * Cap on V8's young generation (MiB per semi-space; undefined: V8's default, up to 32). Socket buffers
   * of a streamed body are freed at the next scavenge, so a smaller cap keeps upload peaks lower at some
   * CPU cost on large responses (bench/ANALYSIS.md, finding 12).
   */
  readonly youngGenerationMiB: number | undefined;
  /** The shared counters of ServiceAccount- and Namespace-scope limits; undefined: none (those limits fail closed). */
  readonly redis: RedisOptions | undefined;
}

export interface RedisOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** PEM CA bundle for a Redis with a private CA (TLS); undefined: the system roots. */
  readonly caFile: string | undefined;
  readonly username: string | undefined;
  /** File holding the password (a Secret mounted into the sidecar only); undefined: no AUTH. */
  readonly passwordFile: string | undefined;
}
