import { parseArgs } from 'node:util';
import { PortcullisError, SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS, SIDECAR_LOG_LEVELS } from '@portcullis/shared';
import { defaultHoldCommand, type InjectorConfig, type PullPolicy } from '../inject/config.js';
import { isQuantity } from '../inject/quantity.js';
import { boolean, integer, invalid, list, oneOf, required, type Values } from './flags.js';
import type { LogLevel, WebhookOptions } from './options.js';
import { noProxyTargets } from './proxy-mode.js';
import { tlsOptions } from './tls.js';

type Env = Readonly<Record<string, string | undefined>>;

const STRING_FLAGS = [
  'namespace', 'identity', 'kubeconfig', 'address', 'port', 'admin-address', 'admin-port', 'max-request-bytes',
  'request-timeout-seconds', 'sidecar-image', 'sidecar-image-pull-policy', 'sidecar-cpu-request', 'sidecar-memory-request',
  'sidecar-cpu-limit', 'sidecar-memory-limit', 'sidecar-run-as-user', 'sidecar-mode', 'sidecar-log-level',
  'sidecar-young-generation-mib', 'sidecar-image-pull-secrets', 'sidecar-identity-review-interval-seconds',
  'allow-image-override', 'excluded-namespaces', 'watch-namespaces', 'unknown-source', 'token-expiration-seconds',
  'tls-mode', 'tls-secret-name', 'webhook-config-name', 'service-name', 'tls-dns-names', 'tls-ip-addresses',
  'tls-cert-file', 'tls-key-file', 'ca-validity-seconds', 'ca-renew-before-seconds', 'cert-validity-seconds',
  'cert-renew-before-seconds', 'ca-propagation-seconds', 'cert-check-interval-seconds', 'lease-name',
  'lease-duration-seconds', 'lease-retry-interval-seconds', 'status-controller', 'check-secrets',
  'status-resync-seconds', 'pod-role-controller', 'pod-role-resync-seconds', 'log-level', 'sidecar-redis-address', 'sidecar-redis-tls', 'sidecar-redis-secret',
  'sidecar-redis-password-key', 'sidecar-redis-ca-key', 'cluster-domain', 'service-cidrs',
] as const;

export const FLAG_NAMES: readonly string[] = STRING_FLAGS;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const PULL_POLICIES: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];
const DEFAULT_EXCLUDED = 'kube-system,kube-public,kube-node-lease';
/**
 * One CPU: the proxy's work is on one Node thread, so the limit rarely throttles it, and namespaces with
 * a ResourceQuota on limits.cpu admit injected pods (they refuse containers without a CPU limit).
 */
const DEFAULT_SIDECAR_CPU_LIMIT = '1';

function quantity(v: Values, option: string, fallback: string): string | undefined {
  const raw = v[option] ?? fallback;
  if (raw === '') return undefined;
  if (!isQuantity(raw)) throw invalid(option, raw, 'expected a quantity such as 100m or 128Mi (empty: none)');
  return raw;
}

/** Secret names: DNS subdomains. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function pullSecrets(v: Values): readonly string[] {
  const names = [...new Set(list(v['sidecar-image-pull-secrets']))];
  for (const name of names) {
    if (name.length > 253 || !SECRET_NAME.test(name)) throw invalid('sidecar-image-pull-secrets', name, 'expected Secret names separated by commas');
  }
  return Object.freeze(names);
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** The sidecars' Redis (shared limit counters): an address, TLS, and a Secret in each pod's namespace. */
function redisConfig(v: Values): InjectorConfig['redis'] {
  const address = v['sidecar-redis-address'] ?? '';
  const secret = v['sidecar-redis-secret'] ?? '';
  if (address === '') {
    if (secret !== '') throw invalid('sidecar-redis-secret', secret, 'it needs --sidecar-redis-address');
    return undefined;
  }
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address)) throw invalid('sidecar-redis-address', address, 'expected host:port, e.g. redis.portcullis.svc:6379');
  if (secret !== '' && (secret.length > 253 || !SECRET_NAME.test(secret))) throw invalid('sidecar-redis-secret', secret, 'expected a Secret name');
  const key = (flag: string, fallback: string): string => {
    const k = v[flag] ?? fallback;
    if (k !== '' && !SECRET_KEY.test(k)) throw invalid(flag, k, 'expected a Secret key (letters, digits, "-", "_", ".")');
    return k;
  };
  const passwordKey = key('sidecar-redis-password-key', 'password');
  const caKey = key('sidecar-redis-ca-key', '');
  return Object.freeze({
    address,
    tls: boolean(v, 'sidecar-redis-tls', false),
    secretName: secret === '' ? undefined : secret,
    passwordKey: passwordKey === '' ? undefined : passwordKey,
    caKey: caKey === '' ? undefined : caKey,
  });
}

function injector(v: Values, namespace: string): Omit<InjectorConfig, 'nativeSidecar'> {
  const pick = (entries: [string, string | undefined][]): Record<string, string> =>
    Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined));
  const logLevel = v['sidecar-log-level'];
  if (logLevel !== undefined && !(SIDECAR_LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw invalid('sidecar-log-level', logLevel, `expected one of ${SIDECAR_LOG_LEVELS.join(', ')}`);
  }
  return {
    image: required(v, 'sidecar-image'),
    imagePullPolicy: oneOf(v, 'sidecar-image-pull-policy', 'IfNotPresent', PULL_POLICIES),
    resources: {
      requests: pick([['cpu', quantity(v, 'sidecar-cpu-request', '50m')], ['memory', quantity(v, 'sidecar-memory-request', '96Mi')]]),
      limits: pick([['cpu', quantity(v, 'sidecar-cpu-limit', DEFAULT_SIDECAR_CPU_LIMIT)], ['memory', quantity(v, 'sidecar-memory-limit', '256Mi')]]),
    },
    runAsUser: integer(v, 'sidecar-run-as-user', 65532, 1, 2 ** 31 - 1),
    allowImageOverride: boolean(v, 'allow-image-override', false),
    excludedNamespaces: new Set([...list(v['excluded-namespaces'] ?? DEFAULT_EXCLUDED), namespace]),
    unknownSource: oneOf(v, 'unknown-source', 'admit', ['admit', 'deny'] as const),
    logLevel: logLevel as InjectorConfig['logLevel'],
    youngGenerationMiB: integer(v, 'sidecar-young-generation-mib', 0, 0, 64) || undefined,
    // ADR 7: the TokenReview budget is pods × (1/interval + 1/(0.8 × token lifetime)); the webhook cannot
    // know the pod count, so it takes the operator's number within sane bounds.
    identityReviewIntervalSeconds: integer(v, 'sidecar-identity-review-interval-seconds', SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS, 10, 86400),
    tokenExpirationSeconds: integer(v, 'token-expiration-seconds', 3600, 600, 86400),
    holdCommand: (adminPort) => defaultHoldCommand(adminPort),
    imagePullSecrets: pullSecrets(v),
    redis: redisConfig(v),
    proxyMode: noProxyTargets(v),
  };
}

function lease(v: Values): WebhookOptions['lease'] {
  const durationSeconds = integer(v, 'lease-duration-seconds', 15, 2, 300);
  const retrySeconds = integer(v, 'lease-retry-interval-seconds', 5, 1, 300);
  if (retrySeconds >= durationSeconds) throw invalid('lease-retry-interval-seconds', String(retrySeconds), `must be shorter than --lease-duration-seconds (${durationSeconds})`);
  return { name: v['lease-name'] ?? 'portcullis-webhook', durationSeconds, retryIntervalMs: retrySeconds * 1000 };
}

/** Parses flags (env fallbacks: POD_NAMESPACE, POD_NAME/HOSTNAME, KUBECONFIG) into frozen options. */
export function parseOptions(argv: readonly string[], env: Env): WebhookOptions {
  let v: Values;
  try {
    const options = Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }]));
    v = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new PortcullisError('CONFIG_INVALID', `${(err as Error).message}; run with --help for the options`);
  }
  const namespace = required(v, 'namespace', env.POD_NAMESPACE);
  const tls = tlsOptions(v, namespace);
  return Object.freeze({
    namespace,
    identity: v.identity ?? env.POD_NAME ?? env.HOSTNAME ?? 'portcullis-webhook',
    kubeconfig: v.kubeconfig ?? env.KUBECONFIG,
    listen: { address: v.address ?? '0.0.0.0', port: integer(v, 'port', 9443, 0, 65535) },
    admin: { address: v['admin-address'] ?? '0.0.0.0', port: integer(v, 'admin-port', 9090, 0, 65535) },
    maxRequestBytes: integer(v, 'max-request-bytes', 4 * 1024 * 1024, 1024),
    requestTimeoutMs: integer(v, 'request-timeout-seconds', 10, 1, 30) * 1000,
    sidecarMode: oneOf(v, 'sidecar-mode', 'auto', ['auto', 'native', 'container'] as const),
    injector: Object.freeze(injector(v, namespace)),
    watchNamespaces: list(v['watch-namespaces']),
    tls: Object.freeze(tls),
    lease: lease(v),
    status: {
      enabled: boolean(v, 'status-controller', true),
      checkSecrets: boolean(v, 'check-secrets', false),
      resyncMs: integer(v, 'status-resync-seconds', 60, 1) * 1000,
      debounceMs: 200,
    },
    podRoles: {
      enabled: boolean(v, 'pod-role-controller', true),
      resyncMs: integer(v, 'pod-role-resync-seconds', 60, 1) * 1000,
      debounceMs: 100,
      attempts: 3,
      initialBackoffMs: 200,
    },
    logLevel: oneOf(v, 'log-level', 'info', LOG_LEVELS),
  });
}
