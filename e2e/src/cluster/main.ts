// CLI for the local control plane: `up`, `down`, `status`. The Makefile's cluster-up/cluster-down call it.
import { fileURLToPath } from 'node:url';
import { clusterConfig, installTools } from './config.js';
import { isHealthy, readState, startControlPlane, stopControlPlane } from './control-plane.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function main(command: string | undefined): Promise<number> {
  const config = clusterConfig(process.env, repoRoot);
  const log = (line: string): void => console.error(`cluster: ${line}`);
  switch (command) {
    case 'up': {
      const binDir = installTools(repoRoot, config.cacheDir);
      const { state, reused } = await startControlPlane({
        dir: config.clusterDir,
        binDir,
        ports: config.ports,
        startTimeoutMs: config.startTimeoutMs,
        now: () => new Date(),
        log,
      });
      if (reused) log(`reusing the running control plane ${state.version} at ${state.server}`);
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
