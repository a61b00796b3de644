import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_ACCOUNT_ISSUER, apiserverArgs, etcdArgs, type Ports } from './args.js';
import { apiserverReady, etcdHealthy, get, type TlsClient } from './health.js';
import { adminKubeconfig } from './kubeconfig.js';
import { clusterLayout, type ClusterLayout, type ClusterState } from './layout.js';
import { generateControlPlanePki } from './pki.js';
import { isRunning, startDetached, stopLaunched, stopProcess, waitUntilHealthy, type Launched } from './processes.js';

export interface ControlPlaneOptions {
  /** Folder for state, certificates, etcd data and logs. */
  readonly dir: string;
  /** Folder holding kube-apiserver, etcd and kubectl (from e2e/scripts/install-tools.sh). */
  readonly binDir: string;
  readonly ports: Ports;
  readonly startTimeoutMs: number;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

export function readState(dir: string): ClusterState | undefined {
  const { stateFile } = clusterLayout(dir);
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
}

function adminTls(layout: ClusterLayout): TlsClient {
  const read = (f: string): string => readFileSync(join(layout.pkiDir, f), 'utf8');
  return { ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key') };
}

/**
 * True when the recorded processes are alive and the API server answers /readyz. With `patienceMs`, an
 * API server whose processes are alive gets that long to answer: on a loaded machine one /readyz can miss
 * its 2 s, and a start that took that for death wiped etcd under the suites already using it.
 */
export async function isHealthy(dir: string, patienceMs = 0): Promise<boolean> {
  const state = readState(dir);
  if (!state || !state.processes.every((p) => isRunning(p.pid, p.name))) return false;
  const tls = adminTls(clusterLayout(dir));
  const deadline = Date.now() + patienceMs;
  for (;;) {
    if (await apiserverReady(state.server, tls).catch(() => false)) return true;
    if (Date.now() >= deadline || !state.processes.every((p) => isRunning(p.pid, p.name))) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** How long a running control plane gets to answer /readyz before start() replaces it. */
const REUSE_PATIENCE_MS = 20_000;

function writePki(layout: ClusterLayout, now: Date): void {
  const pki = generateControlPlanePki(now);
  mkdirSync(layout.pkiDir, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {
    'ca.crt': pki.ca.certPem,
    // The CA key stays with the cluster's state (mode 0600, thrown away with it): the e2e node issues its
    // kubelet, controller-manager and scheduler certificates from it (e2e/src/node/pki.ts).
    'ca.key': pki.ca.keyPem,
    'apiserver-kubelet-client.crt': pki.kubeletClient.certPem,
    'apiserver-kubelet-client.key': pki.kubeletClient.keyPem,
    'apiserver.crt': pki.apiserver.certPem,
    'apiserver.key': pki.apiserver.keyPem,
    'admin.crt': pki.admin.certPem,
    'admin.key': pki.admin.keyPem,
    'sa.key': pki.serviceAccount.privatePem,
    'sa.pub': pki.serviceAccount.publicPem,
  };
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(layout.pkiDir, name), content, { mode: 0o600 });
  }
}

/**
 * Starts etcd and kube-apiserver, or reuses them when a healthy control plane already runs in `dir`.
 * Idempotent; a half-dead previous run is stopped and wiped first. Returns the state tests read.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<{ state: ClusterState; reused: boolean }> {
  const layout = clusterLayout(opts.dir);
  if (await isHealthy(opts.dir, REUSE_PATIENCE_MS)) {
    const state = readState(opts.dir);
    if (state) return { state, reused: true };
  }
  await stopControlPlane(opts.dir);
  rmSync(layout.etcdDataDir, { recursive: true, force: true });
  mkdirSync(layout.logDir, { recursive: true });
  writePki(layout, opts.now());
  const server = `https://127.0.0.1:${opts.ports.apiserver}`;
  const tls = adminTls(layout);
  writeFileSync(layout.kubeconfig, adminKubeconfig(server, tls.ca, { certPem: tls.cert, keyPem: tls.key }), {
    mode: 0o600,
  });

  const bin = (name: string): string => join(opts.binDir, name);
  const started: Launched[] = [];
  try {
    opts.log(`starting etcd on 127.0.0.1:${opts.ports.etcdClient}`);
    const etcd = startDetached('etcd', bin('etcd'), etcdArgs(layout, opts.ports), join(layout.logDir, 'etcd.log'));
    started.push(etcd);
    await waitUntilHealthy(etcd, () => etcdHealthy(opts.ports.etcdClient), opts.startTimeoutMs);

    opts.log(`starting kube-apiserver on ${server}`);
    const apiserver = startDetached(
      'kube-apiserver',
      bin('kube-apiserver'),
      apiserverArgs(layout, opts.ports),
      join(layout.logDir, 'kube-apiserver.log'),
    );
    started.push(apiserver);
    await waitUntilHealthy(apiserver, () => apiserverReady(server, tls), opts.startTimeoutMs);

    const version = (JSON.parse((await get(`${server}/version`, tls)).body) as { gitVersion: string }).gitVersion;
    const state: ClusterState = {
      server,
      kubeconfig: layout.kubeconfig,
      binDir: opts.binDir,
      version,
      serviceAccountIssuer: SERVICE_ACCOUNT_ISSUER,
      processes: started,
    };
    writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
    opts.log(`control plane ${version} ready at ${server} (kubeconfig ${layout.kubeconfig})`);
    return { state, reused: false };
  } catch (err) {
    for (const p of started.reverse()) await stopLaunched(p);
    throw err;
  }
}

/** Stops the processes recorded in `dir` (API server first) and forgets them; logs are kept. */
export async function stopControlPlane(dir: string): Promise<void> {
  const state = readState(dir);
  if (state) {
    for (const p of [...state.processes].reverse()) await stopProcess(p.pid, p.name);
  }
  rmSync(clusterLayout(dir).stateFile, { force: true });
}
