// Jest global setup for the e2e project: builds/reuses the control-plane binaries, starts (or reuses)
// etcd + kube-apiserver, and installs the CRDs. Tests find the cluster through PORTCULLIS_E2E_CLUSTER_DIR.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalControlPlane } from '../cluster/start.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export default async function globalSetup(): Promise<void> {
  const { config, binDir, state, reused } = await startLocalControlPlane(process.env, repoRoot, (line) => console.error(`e2e: ${line}`));
  process.env.PORTCULLIS_E2E_CLUSTER_DIR = config.clusterDir;
  process.env.PORTCULLIS_E2E_STOP_CLUSTER = reused || config.keep ? '' : '1';

  const kubectl = (...args: string[]): void => {
    execFileSync(join(binDir, 'kubectl'), ['--kubeconfig', state.kubeconfig, ...args], { stdio: 'inherit' });
  };
  kubectl('apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'crds'));
  kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', join(repoRoot, 'crds'));
}
