// Jest global setup for the e2e project: builds/reuses the control-plane binaries, starts (or reuses)
// etcd + kube-apiserver, and installs the CRDs. Tests find the cluster through PORTCULLIS_E2E_CLUSTER_DIR.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterConfig, installTools } from '../cluster/config.js';
import { startControlPlane } from '../cluster/control-plane.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export default async function globalSetup(): Promise<void> {
  const config = clusterConfig(process.env, repoRoot);
  const binDir = installTools(repoRoot, config.cacheDir);
  const { state, reused } = await startControlPlane({
    dir: config.clusterDir,
    binDir,
    ports: config.ports,
    startTimeoutMs: config.startTimeoutMs,
    now: () => new Date(),
    log: (line) => console.error(`e2e: ${line}`),
  });
  if (reused) console.error(`e2e: reusing the running control plane ${state.version} at ${state.server}`);
  process.env.PORTCULLIS_E2E_CLUSTER_DIR = config.clusterDir;
  process.env.PORTCULLIS_E2E_STOP_CLUSTER = reused || config.keep ? '' : '1';

  const kubectl = (...args: string[]): void => {
    execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, ...args], { stdio: 'inherit' });
  };
  kubectl('apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'crds'));
  kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', join(repoRoot, 'crds'));
}
