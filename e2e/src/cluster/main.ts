// CLI for the local control plane: `up`, `down`, `status`. The Makefile's cluster-up/cluster-down call it.
import { fileURLToPath } from 'node:url';
import { clusterConfig } from './config.js';
import { isHealthy, readState, stopControlPlane } from './control-plane.js';
import { startLocalControlPlane } from './start.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function main(command: string | undefined): Promise<number> {
  const config = clusterConfig(process.env, repoRoot);
  const log = (line: string): void => console.error(`cluster: ${line}`);
  switch (command) {
    case 'up': {
      const { state } = await startLocalControlPlane(process.env, repoRoot, log);
      console.log(`export KUBECONFIG=${state.kubeconfig} PATH=${state.binDir}:$PATH`);
      return 0;
    }
    case 'down':
      await stopControlPlane(config.clusterDir);
      log('stopped');
      return 0;
    case 'status': {
      const healthy = await isHealthy(config.clusterDir);
      const state = readState(config.clusterDir);
      console.log(healthy && state ? `running ${state.version} at ${state.server}` : 'not running');
      return healthy ? 0 : 1;
    }
    default:
      console.error('usage: cluster (up | down | status)');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
