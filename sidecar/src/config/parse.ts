import { parseArgs } from 'node:util';
import {
  PortcullisError,
  PROXY_CA_DIR,
  SIDECAR_ADMIN_PORT,
  SIDECAR_DEFAULT_FILES,
  SIDECAR_ENV,
  SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS,
  SIDECAR_LOG_LEVELS,
  type SIDECAR_FLAGS,
} from '@portcullis/shared';
import type { ApiAccess, SidecarOptions } from './options.js';

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: ReadonlySet<string> = new Set(SIDECAR_LOG_LEVELS);

type Values = Record<string, string | undefined> & { standalone?: boolean; 'redis-tls'?: boolean };
type FlagType = { readonly type: 'string' | 'boolean' };
/** Every flag the webhook passes (the contract) is one this parser knows: a missing one fails to compile. */
type ContractFlag = (typeof SIDECAR_FLAGS)[keyof typeof SIDECAR_FLAGS];

const FLAGS = {
  standalone: { type: 'boolean' },
  config: { type: 'string' },
  identity: { type: 'string' },
  labels: { type: 'string' },
  'labels-file': { type: 'string' },
  namespace: { type: 'string' },
  sources: { type: 'string' },
  'identity-token-file': { type: 'string' },
  kubeconfig: { type: 'string' },
  'api-server': { type: 'string' },
  'api-token-file': { type: 'string' },
  'api-ca-file': { type: 'string' },
  'secrets-dir': { type: 'string' },
  'sts-token-file': { type: 'string' },
  'vault-jwt-file': { type: 'string' },
  'vault-token-file': { type: 'string' },
  'origin-tokens-dir': { type: 'string' },
  'listen-addresses': { type: 'string' },
  'proxy-port': { type: 'string' },
  'proxy-ca-dir': { type: 'string' },
  'admin-address': { type: 'string' },
  'admin-port': { type: 'string' },
  'upstream-response-timeout-seconds': { type: 'string' },
  'websocket-idle-timeout-seconds': { type: 'string' },
  'drain-timeout-seconds': { type: 'string' },
  'credential-poll-interval-seconds': { type: 'string' },
  'identity-review-interval-seconds': { type: 'string' },
  'log-level': { type: 'string' },
  'young-generation-mib': { type: 'string' },
  'redis-address': { type: 'string' },
  'redis-tls': { type: 'boolean' },
  'redis-ca-file': { type: 'string' },
  'redis-username': { type: 'string' },
  'redis-password-file': { type: 'string' },
} as const satisfies Record<ContractFlag, FlagType> & Record<string, FlagType>;

const invalid = (option: string, value: string, want: string): PortcullisError =>
  new PortcullisError('CONFIG_INVALID', `--${option} ${JSON.stringify(value)} is invalid: ${want}`);

function positiveNumber(option: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw invalid(option, raw, 'expected a positive number');
  return n;
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of list(raw) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid('labels', raw, 'expected key=value pairs separated by commas');
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

function parseIdentity(raw: string | undefined): { namespace: string; serviceAccount: string; podName: string; podUID: string } {
  const parts = (raw ?? '').split('/');
  if (raw === undefined || parts.length < 3 || parts.length > 4 || parts.some((p) => p === '')) {
    throw invalid('identity', raw ?? '', 'standalone mode needs --identity namespace/serviceaccount/pod[/uid]');
  }
  const [namespace, serviceAccount, podName, podUID] = parts as [string, string, string, string | undefined];
  return { namespace, serviceAccount, podName, podUID: podUID ?? `standalone-${podName}` };
}

function apiAccess(v: Values, env: Env): ApiAccess {
  const kubeconfig = v.kubeconfig ?? env.KUBECONFIG;
  if (kubeconfig && !v['api-server']) return { kind: 'kubeconfig', path: kubeconfig };
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = v['api-server'] ?? (host ? `https://${host.includes(':') ? `[${host}]` : host}:${port}` : undefined);
  if (!server) {
    throw new PortcullisError('CONFIG_INVALID', 'no API server: pass --api-server or --kubeconfig (in a pod KUBERNETES_SERVICE_HOST is set)');
  }
  return {
    kind: 'token',
    server,
    tokenFile: v['api-token-file'] ?? SIDECAR_DEFAULT_FILES.apiToken,
    caFile: v['api-ca-file'] ?? SIDECAR_DEFAULT_FILES.apiCa,
  };
}

const required = (option: string, want: string): never => {
  throw invalid(option, '', want);
};

function parseMode(v: Values, env: Env): SidecarOptions['mode'] {
  if (v.standalone) {
    return Object.freeze({
      kind: 'standalone' as const,
      configPath: v.config ?? required('config', 'standalone mode needs --config <dir|file>'),
      identity: parseIdentity(v.identity),
      labels: parseLabels(v.labels ?? ''),
    });
  }
  return Object.freeze({
    kind: 'cluster' as const,
    namespace: v.namespace ?? env[SIDECAR_ENV.namespace] ?? required('namespace', 'set --namespace or POD_NAMESPACE'),
    identityTokenFile: v['identity-token-file'] ?? SIDECAR_DEFAULT_FILES.identityToken,
    api: apiAccess(v, env),
    labelsFile: v['labels-file'] ?? SIDECAR_DEFAULT_FILES.labels,
  });
}

function parsePort(raw: string, option = 'admin-port'): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(option, raw, 'expected a port from 0 (any free port) to 65535');
  return port;
}

function parseLogLevel(raw: string): SidecarOptions['logLevel'] {
  if (!LOG_LEVELS.has(raw)) throw invalid('log-level', raw, 'expected trace, debug, info, warn or error');
  return raw as SidecarOptions['logLevel'];
}

/** The largest young-generation cap accepted: V8's own default tops out at 32 MiB per semi-space. */
const MAX_YOUNG_GENERATION_MIB = 64;

function parseYoungGeneration(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_YOUNG_GENERATION_MIB) throw invalid('young-generation-mib', raw, `expected a whole number of MiB from 1 to ${MAX_YOUNG_GENERATION_MIB}`);
  return n;
}

function parseListen(raw: string | undefined): string[] {
  const addresses = list(raw) ?? ['127.0.0.1', '::1'];
  for (const a of addresses) if (a !== '127.0.0.1' && a !== '::1') throw invalid('listen-addresses', a, 'the proxy only listens on 127.0.0.1 and ::1');
  return addresses;
}

function parseRedis(v: Values): SidecarOptions['redis'] {
  const address = v['redis-address'];
  if (address === undefined || address === '') {
    for (const flag of ['redis-ca-file', 'redis-username', 'redis-password-file'] as const) {
      if (v[flag] !== undefined) throw invalid(flag, v[flag] ?? '', 'it needs --redis-address host:port');
    }
    return undefined;
  }
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) throw invalid('redis-address', address, 'expected host:port, e.g. redis.portcullis.svc:6379');
  return Object.freeze({
    host: m[1].replace(/^\[|\]$/g, ''),
    port,
    tls: v['redis-tls'] === true,
    caFile: v['redis-ca-file'],
    username: v['redis-username'],
    passwordFile: v['redis-password-file'],
  });
}

/** Parses flags (with PORTCULLIS_* and downward-API env fallbacks) into frozen options; throws CONFIG_INVALID. */
/** Where credentials and the tokens that obtain them are read: the webhook's mount paths unless given. */
function credentialFiles(v: Values): Pick<SidecarOptions, 'secretsDir' | 'stsTokenFile' | 'vaultJwtFile' | 'vaultTokenFile' | 'originTokensDir'> {
  return {
    secretsDir: v['secrets-dir'] ?? SIDECAR_DEFAULT_FILES.secretsDir,
    stsTokenFile: v['sts-token-file'] ?? SIDECAR_DEFAULT_FILES.stsToken,
    vaultJwtFile: v['vault-jwt-file'] ?? SIDECAR_DEFAULT_FILES.vaultJwt,
    vaultTokenFile: v['vault-token-file'],
    originTokensDir: v['origin-tokens-dir'] ?? SIDECAR_DEFAULT_FILES.originTokensDir,
  };
}

/** The HTTPS_PROXY port (off unless --proxy-port) and where its pod CA certificate goes. */
function proxyMode(v: Values): Pick<SidecarOptions, 'proxyPort' | 'proxyCaDir'> {
  const raw = v['proxy-port'];
  return {
    proxyPort: raw === undefined || raw === '' ? undefined : parsePort(raw, 'proxy-port'),
    proxyCaDir: v['proxy-ca-dir'] ?? PROXY_CA_DIR,
  };
}

export function parseOptions(argv: readonly string[], env: Env): SidecarOptions {
  let v: Values;
  try {
    v = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    throw new PortcullisError('CONFIG_INVALID', `${(err as Error).message}; run with --help for the options`);
  }
  const sources = list(v.sources ?? env[SIDECAR_ENV.sources]);
  return Object.freeze({
    mode: parseMode(v, env),
    sources: sources ? new Set(sources) : undefined,
    ...credentialFiles(v),
    listenAddresses: parseListen(v['listen-addresses']),
    ...proxyMode(v),
    adminAddress: v['admin-address'] ?? '0.0.0.0',
    adminPort: parsePort(v['admin-port'] ?? env[SIDECAR_ENV.adminPort] ?? String(SIDECAR_ADMIN_PORT)),
    upstreamResponseTimeoutMs: positiveNumber('upstream-response-timeout-seconds', v['upstream-response-timeout-seconds'] ?? '120') * 1000,
    websocketIdleTimeoutMs: positiveNumber('websocket-idle-timeout-seconds', v['websocket-idle-timeout-seconds'] ?? '300') * 1000,
    drainTimeoutMs: positiveNumber('drain-timeout-seconds', v['drain-timeout-seconds'] ?? '10') * 1000,
    credentialPollIntervalMs: positiveNumber('credential-poll-interval-seconds', v['credential-poll-interval-seconds'] ?? '2') * 1000,
    identityReviewIntervalMs: positiveNumber('identity-review-interval-seconds', v['identity-review-interval-seconds'] ?? String(SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS)) * 1000,
    logLevel: parseLogLevel(v['log-level'] ?? env[SIDECAR_ENV.logLevel] ?? 'info'),
    youngGenerationMiB: parseYoungGeneration(v['young-generation-mib'] ?? env[SIDECAR_ENV.youngGenerationMiB]),
    redis: parseRedis(v),
  });
}
