// Ory Hydra (github.com/ory/hydra/v2, built by e2e/scripts/install-peers.sh) as the real OAuth2 server of
// the oauth2-origin tests: a SQLite database in its own temp folder (migrated on first start, so stop()
// and start() keep clients, trust relationships, issued tokens and used jtis, as a real restart does),
// public and admin APIs on loopback ports that survive a restart (the sidecar knows the token endpoint).
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPeer, type PeerProcess } from './aws-peers-process.js';
import { peerTools } from './aws-peers-tools.js';
import { freeTestPort } from './test-ports.js';

export interface HydraAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

export interface Hydra {
  /** http://127.0.0.1:<public port>/ — the issuer, exactly as the discovery document names it. */
  readonly issuer: string;
  /** http://127.0.0.1:<public port>/oauth2/token */
  readonly tokenEndpoint: string;
  /** Calls the admin API (http://127.0.0.1:<admin port>/admin/...). */
  admin(method: string, path: string, body?: unknown): Promise<HydraAnswer>;
  /** RFC 7662 introspection of `token` (what a resource server asks). */
  introspect(token: string): Promise<Record<string, unknown>>;
  /** Creates an OAuth2 client; throws unless Hydra accepted it. */
  createClient(client: Record<string, unknown>): Promise<void>;
  /** Stops the server, keeping its database. */
  stop(): Promise<void>;
  /** Starts it again on the same ports. */
  start(): Promise<void>;
  logTail(lines?: number): string;
  /** Stops it and removes its database. */
  close(): Promise<void>;
}


async function call(url: string, method: string, body?: unknown, form?: URLSearchParams): Promise<HydraAnswer> {
  const res = await fetch(url, {
    method,
    ...(form ? { body: form } : body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

export interface HydraOptions {
  /** Access-token lifetime for grants whose client sets none (Hydra's TTL_ACCESS_TOKEN); default 1h. */
  readonly accessTokenTtl?: string;
}

/** Starts a fresh Hydra with its own SQLite database and waits until it answers discovery. */
export async function startHydra(opts: HydraOptions = {}): Promise<Hydra> {
  const bin = peerTools().hydra;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-hydra-data-'));
  const dsn = `sqlite://${join(dir, 'hydra.sqlite')}?_fk=true&_busy_timeout=10000`;
  await promisify(execFile)(bin, ['migrate', 'sql', 'up', '-e', '--yes'], { env: { DSN: dsn, PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const secret = randomBytes(24).toString('hex');
  let publicPort = 0;
  let adminPort = 0;
  let peer: PeerProcess | undefined;
  const issuer = (): string => `http://127.0.0.1:${publicPort}/`;
  const launch = async (): Promise<void> => {
    peer = await startPeer({
      name: 'hydra',
      bin,
      args: () => ['serve', 'all', '--dev', '--sqa-opt-out'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        DSN: dsn,
        SECRETS_SYSTEM: secret,
        URLS_SELF_ISSUER: issuer(),
        URLS_SELF_PUBLIC: issuer(),
        SERVE_PUBLIC_HOST: '127.0.0.1',
        SERVE_PUBLIC_PORT: String(publicPort),
        SERVE_ADMIN_HOST: '127.0.0.1',
        SERVE_ADMIN_PORT: String(adminPort),
        TTL_ACCESS_TOKEN: opts.accessTokenTtl ?? '1h',
        LOG_LEVEL: 'info',
        LOG_LEAK_SENSITIVE_VALUES: 'false',
      },
      listening: new RegExp(`Setting up http server on (127\\.0\\.0\\.1:${publicPort})`),
      // The first discovery creates Hydra's signing keys (seconds): done here, not in a test's request.
      ready: async () => (await call(`${issuer()}.well-known/openid-configuration`, 'GET').then((r) => r.status, () => 0)) === 200,
      retryWhen: /address already in use/i,
      timeoutMs: 60_000,
    });
  };
  for (let attempt = 1; ; attempt++) {
    publicPort = await freeTestPort();
    adminPort = await freeTestPort();
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const admin = (method: string, path: string, body?: unknown): Promise<HydraAnswer> => call(`${adminUrl}${path}`, method, body);
  return {
    issuer: issuer(),
    tokenEndpoint: `${issuer()}oauth2/token`,
    admin,
    async introspect(token) {
      const res = await call(`${adminUrl}/admin/oauth2/introspect`, 'POST', undefined, new URLSearchParams({ token }));
      return res.body ?? {};
    },
    async createClient(client) {
      const res = await admin('POST', '/admin/clients', client);
      if (res.status !== 201) throw new Error(`creating client ${String(client.client_id)} failed: ${res.status} ${JSON.stringify(res.body)}`);
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
