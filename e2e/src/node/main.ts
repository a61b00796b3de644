// CLI for the e2e node: `up`, `down`, `status`. The Makefile's node-up/node-down/node-status call it.
import { fileURLToPath } from 'node:url';
import { clusterConfig } from '../cluster/config.js';
import { readState } from '../cluster/control-plane.js';
import { nodeHealthy, readNodeState, stopNode } from './node.js';
import { startLocalNode } from './start.js';
import { join } from 'node:path';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function main(command: string | undefined): Promise<number> {
  const cluster = clusterConfig(process.env, repoRoot);
  const dir = join(cluster.cacheDir, 'node');
  const log = (line: string): void => console.error(`node: ${line}`);
  switch (command) {
    case 'up': {
      const { cluster: state, state: node } = await startLocalNode(process.env, repoRoot, log);
      console.log(`export KUBECONFIG=${state.kubeconfig} PATH=${state.binDir}:$PATH   # node ${node.nodeName}`);
      return 0;
    }
    case 'down':
      await stopNode(dir);
      log('stopped');
      return 0;
    case 'status': {
      const plane = readState(cluster.clusterDir);
      const node = readNodeState(dir);
      const healthy = plane !== undefined && nodeHealthy(dir, plane);
      console.log(healthy && node ? `node ${node.nodeName} Ready (${node.network.nodeIp}), images: ${node.images.join(', ')}` : 'not running');
      return healthy ? 0 : 1;
    }
    default:
      console.error('usage: node (up | down | status)');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`node: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
