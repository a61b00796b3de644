import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Ports } from './args.js';

export interface ClusterConfig {
  readonly cacheDir: string;
  readonly clusterDir: string;
  readonly ports: Ports;
  readonly startTimeoutMs: number;
  /** Leave the control plane running after an e2e run so the next run reuses it. */
  readonly keep: boolean;
}

const DEFAULT_PORTS: Ports = { apiserver: 16443, etcdClient: 12379, etcdPeer: 12380 };

function port(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1024 || value > 65535) {
    throw new RangeError(`${name} must be a port number from 1024 to 65535, got "${raw}"`);
  }
  return value;
}

/** Parses the PORTCULLIS_* variables once; callers pass process.env (only entry points read it). */
export function clusterConfig(env: Readonly<Record<string, string | undefined>>, repoRoot: string): ClusterConfig {
  const cacheDir = env.PORTCULLIS_CACHE || join(repoRoot, '.cache');
  const timeout = env.PORTCULLIS_START_TIMEOUT_SECONDS ?? '90';
  const startTimeoutSeconds = Number(timeout);
  if (!Number.isFinite(startTimeoutSeconds) || startTimeoutSeconds <= 0) {
    throw new RangeError(`PORTCULLIS_START_TIMEOUT_SECONDS must be a positive number, got "${timeout}"`);
  }
  return Object.freeze({
    cacheDir,
    clusterDir: join(cacheDir, 'cluster'),
    ports: Object.freeze({
      apiserver: port(env, 'PORTCULLIS_APISERVER_PORT', DEFAULT_PORTS.apiserver),
      etcdClient: port(env, 'PORTCULLIS_ETCD_PORT', DEFAULT_PORTS.etcdClient),
      etcdPeer: port(env, 'PORTCULLIS_ETCD_PEER_PORT', DEFAULT_PORTS.etcdPeer),
    }),
    startTimeoutMs: startTimeoutSeconds * 1000,
    keep: env.PORTCULLIS_KEEP_CLUSTER === '1' || env.PORTCULLIS_KEEP_CLUSTER === 'true',
  });
}

/** Runs e2e/scripts/install-tools.sh (a no-op when cached) and returns the folder with the binaries. */
export function installTools(repoRoot: string, cacheDir: string): string {
  const out = execFileSync('bash', [join(repoRoot, 'e2e/scripts/install-tools.sh')], {
    env: { ...process.env, PORTCULLIS_CACHE: cacheDir },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const binDir = out.trim().split('\n').at(-1);
  if (!binDir) throw new Error('install-tools.sh printed no binary folder');
  return binDir;
}
