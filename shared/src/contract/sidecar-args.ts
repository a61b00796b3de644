// The sidecar's command line as far as the webhook uses it: the flags, the files the sidecar reads when a
// flag is absent (exactly where the webhook mounts them) and the one function that builds the args.
import { PROXY_CA_DIR } from './proxy-mode.js';
import { FILE_NAMES, MOUNT_PATHS, POD_NAMESPACE_ENV, SIDECAR_ADMIN_PORT } from './pod.js';

/** Where the sidecar reads each file by default: the mount paths of pod.ts. */
export const SIDECAR_DEFAULT_FILES = {
  identityToken: `${MOUNT_PATHS.identity}/${FILE_NAMES.token}`,
  apiToken: `${MOUNT_PATHS.api}/${FILE_NAMES.token}`,
  apiCa: `${MOUNT_PATHS.api}/${FILE_NAMES.ca}`,
  stsToken: `${MOUNT_PATHS.sts}/${FILE_NAMES.token}`,
  vaultJwt: `${MOUNT_PATHS.vault}/${FILE_NAMES.token}`,
  /** One projected token per source that needs one: `<originTokensDir>/<source name>`. */
  originTokensDir: MOUNT_PATHS.originTokens,
  secretsDir: MOUNT_PATHS.sources,
  labels: `${MOUNT_PATHS.podinfo}/${FILE_NAMES.labels}`,
} as const;

export type SidecarLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export const SIDECAR_LOG_LEVELS: readonly SidecarLogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * The sidecar's default `--identity-review-interval-seconds`: 900 s keeps 5,000 pods at ~8.7 TokenReviews/s
 * (ADR 7). The webhook passes the flag only when its configured interval differs.
 */
export const SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS = 900;

/** The flags the webhook passes (the sidecar accepts more: docs/sidecar.md). */
export const SIDECAR_FLAGS = {
  namespace: 'namespace',
  labelsFile: 'labels-file',
  sources: 'sources',
  logLevel: 'log-level',
  youngGenerationMiB: 'young-generation-mib',
  adminPort: 'admin-port',
  identityReviewIntervalSeconds: 'identity-review-interval-seconds',
  redisAddress: 'redis-address',
  redisTls: 'redis-tls',
  redisPasswordFile: 'redis-password-file',
  redisCaFile: 'redis-ca-file',
  proxyPort: 'proxy-port',
  proxyCaDir: 'proxy-ca-dir',
} as const;

/** Env vars the sidecar falls back to when the flag is absent. */
export const SIDECAR_ENV = {
  namespace: POD_NAMESPACE_ENV,
  sources: 'PORTCULLIS_SOURCES',
  adminPort: 'PORTCULLIS_ADMIN_PORT',
  logLevel: 'PORTCULLIS_LOG_LEVEL',
  youngGenerationMiB: 'PORTCULLIS_YOUNG_GENERATION_MIB',
} as const;

export interface SidecarArgsInput {
  /** Source names to serve; undefined: every source of the namespace. */
  readonly sources: readonly string[] | undefined;
  readonly logLevel: SidecarLogLevel | undefined;
  readonly youngGenerationMiB: number | undefined;
  readonly adminPort: number;
  /** Mean seconds between periodic TokenReviews (the sidecar jitters each by ±10 %). */
  readonly identityReviewIntervalSeconds: number;
  /** The shared limit store; undefined: none (ServiceAccount/Namespace-scope limits fail closed). */
  readonly redis?: SidecarRedisInput | undefined;
  /** Proxy mode: the HTTPS_PROXY port (the pod CA goes to PROXY_CA_DIR); undefined: off. */
  readonly proxyPort?: number | undefined;
}

/** Redis for the sidecar: where it is, and whether a password / CA file is mounted (at MOUNT_PATHS.redis). */
export interface SidecarRedisInput {
  readonly address: string;
  readonly tls: boolean;
  readonly password: boolean;
  readonly ca: boolean;
}

/** Where the sidecar finds the Redis password and CA the webhook mounts. */
export const SIDECAR_REDIS_FILES = {
  password: `${MOUNT_PATHS.redis}/${FILE_NAMES.password}`,
  ca: `${MOUNT_PATHS.redis}/${FILE_NAMES.ca}`,
} as const;

/**
 * The injected proxy's args: its namespace from the downward-API env var (the kubelet expands `$(VAR)`),
 * the labels file where the webhook mounts it, and only what differs from the sidecar's defaults.
 */
export function sidecarArgs(input: SidecarArgsInput): string[] {
  const args = [`--${SIDECAR_FLAGS.namespace}`, `$(${POD_NAMESPACE_ENV})`, `--${SIDECAR_FLAGS.labelsFile}`, SIDECAR_DEFAULT_FILES.labels];
  if (input.sources !== undefined) args.push(`--${SIDECAR_FLAGS.sources}`, input.sources.join(','));
  if (input.logLevel !== undefined) args.push(`--${SIDECAR_FLAGS.logLevel}`, input.logLevel);
  if (input.youngGenerationMiB !== undefined) args.push(`--${SIDECAR_FLAGS.youngGenerationMiB}`, String(input.youngGenerationMiB));
  if (input.adminPort !== SIDECAR_ADMIN_PORT) args.push(`--${SIDECAR_FLAGS.adminPort}`, String(input.adminPort));
  if (input.identityReviewIntervalSeconds !== SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS) {
    args.push(`--${SIDECAR_FLAGS.identityReviewIntervalSeconds}`, String(input.identityReviewIntervalSeconds));
  }
  if (input.proxyPort !== undefined) args.push(`--${SIDECAR_FLAGS.proxyPort}`, String(input.proxyPort), `--${SIDECAR_FLAGS.proxyCaDir}`, PROXY_CA_DIR);
  const redis = input.redis;
  if (redis !== undefined) {
    args.push(`--${SIDECAR_FLAGS.redisAddress}`, redis.address);
    if (redis.tls) args.push(`--${SIDECAR_FLAGS.redisTls}`);
    if (redis.password) args.push(`--${SIDECAR_FLAGS.redisPasswordFile}`, SIDECAR_REDIS_FILES.password);
    if (redis.ca) args.push(`--${SIDECAR_FLAGS.redisCaFile}`, SIDECAR_REDIS_FILES.ca);
  }
  return args;
}
