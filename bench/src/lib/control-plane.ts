// The e2e control plane (kube-apiserver + etcd built from Go modules), started or reused exactly as the
// e2e global setup does, with the CRDs installed. The e2e workspace's compiled helpers are loaded from
// e2e/dist at run time (make build produces them), so the bench reuses them instead of copying them.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

interface ClusterState {
  readonly server: string;
  readonly kubeconfig: string;
  readonly version: string;
  readonly serviceAccountIssuer: string;
}

export interface ControlPlane {
  readonly state: ClusterState;
  readonly reused: boolean;
  readonly binDir: string;
  /** Imports a compiled e2e module, e.g. 'support/workloads.js'. */
  e2e<T>(module: string): Promise<T>;
  release(): Promise<void>;
}

interface ClusterConfigModule {
  readonly clusterConfig: (env: NodeJS.ProcessEnv, repoRoot: string) => { cacheDir: string; clusterDir: string; ports: unknown; startTimeoutMs: number; keep: boolean };
  readonly installTools: (repoRoot: string, cacheDir: string) => string;
}
interface ControlPlaneModule {
  readonly startControlPlane: (o: object) => Promise<{ state: ClusterState; reused: boolean }>;
  readonly stopControlPlane: (dir: string) => Promise<void>;
}

export async function acquireControlPlane(repoRoot: string, log: (line: string) => void): Promise<ControlPlane> {
  const e2e = <T>(module: string): Promise<T> => import(join(repoRoot, 'e2e/dist', module)) as Promise<T>;
  const { clusterConfig, installTools } = await e2e<ClusterConfigModule>('cluster/config.js');
  const { startControlPlane, stopControlPlane } = await e2e<ControlPlaneModule>('cluster/control-plane.js');
  const config = clusterConfig(process.env, repoRoot);
  log('control plane: building or reusing kube-apiserver/etcd/kubectl (cached in .cache/tools; minutes on a fresh machine)');
  const binDir = installTools(repoRoot, config.cacheDir);
  const { state, reused } = await startControlPlane({ dir: config.clusterDir, binDir, ports: config.ports, startTimeoutMs: config.startTimeoutMs, now: () => new Date(), log: (l: string) => log(`control plane: ${l}`) });
  log(`control plane: ${reused ? 'reusing' : 'started'} kube-apiserver ${state.version} at ${state.server}`);
  const kubectl = (...args: string[]): void => void execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, ...args], { stdio: 'ignore' });
  kubectl('apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'crds'));
  kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', join(repoRoot, 'crds'));
  // e2e/dist/support/cluster.js finds the control plane through this variable.
  process.env.PORTCULLIS_E2E_CLUSTER_DIR = config.clusterDir;
  return {
    state,
    reused,
    binDir,
    e2e,
    // Stopped only when the bench started it (the e2e teardown's rule), so nobody else's run loses it.
    release: async () => {
      if (!reused && !config.keep) await stopControlPlane(config.clusterDir);
    },
  };
}
