// What e2e tests use to reach the control plane the global setup started.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readState } from '../cluster/control-plane.js';
import type { ClusterState } from '../cluster/layout.js';

export interface ClusterEnv {
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly binDir: string;
  readonly version: string;
  readonly serviceAccountIssuer: string;
}

let cached: ClusterState | undefined;

function state(): ClusterState {
  if (cached) return cached;
  const dir = process.env.PORTCULLIS_E2E_CLUSTER_DIR;
  if (!dir) throw new Error('PORTCULLIS_E2E_CLUSTER_DIR is unset: run e2e tests through `make e2e` (jest --selectProjects e2e)');
  const found = readState(dir);
  if (!found) throw new Error(`no control plane recorded in ${dir}: the e2e global setup did not start one`);
  cached = found;
  return found;
}

export function clusterEnv(): ClusterEnv {
  const s = state();
  return {
    kubeconfigPath: s.kubeconfig,
    server: s.server,
    binDir: s.binDir,
    version: s.version,
    serviceAccountIssuer: s.serviceAccountIssuer,
  };
}

/** An admin KubeConfig for @kubernetes/client-node. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(state().kubeconfig);
  return kc;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(bin: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && typeof err.code !== 'number' ? err.message : '') });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs the built kubectl as the admin; never throws on a non-zero exit (tests assert on `code`). */
export function kubectl(args: readonly string[], opts: { input?: string; namespace?: string } = {}): Promise<CommandResult> {
  const s = state();
  const ns = opts.namespace ? ['--namespace', opts.namespace] : [];
  return run(join(s.binDir, 'kubectl'), ['--kubeconfig', s.kubeconfig, ...ns, ...args], opts.input);
}

/** Runs the built helm against the control plane; never throws on a non-zero exit. */
export function helm(args: readonly string[]): Promise<CommandResult> {
  const s = state();
  return run(join(s.binDir, 'helm'), ['--kubeconfig', s.kubeconfig, ...args]);
}

/**
 * Creates a uniquely named namespace with its `default` ServiceAccount (without the e2e node there is no
 * controller-manager to create it; with it, the controller may have created it first).
 */
export async function createNamespace(prefix: string, labels: Readonly<Record<string, string>> = {}): Promise<string> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(4).toString('hex')}`.slice(0, 63);
  await core.createNamespace({ body: { metadata: { name, labels: { 'portcullis.dev/e2e': 'true', ...labels } } } });
  try {
    await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default' } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  return name;
}
