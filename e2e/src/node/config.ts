import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { NodeNetwork } from './layout.js';
import { discoverNodeIp } from './network.js';

export interface NodeConfig {
  readonly dir: string;
  readonly imagesDir: string;
  readonly cniBinDir: string;
  readonly network: NodeNetwork;
}

/** Parses the PORTCULLIS_* variables of the node once (only entry points pass process.env). */
export function nodeConfig(env: Readonly<Record<string, string | undefined>>, cacheDir: string): NodeConfig {
  const raw = env.PORTCULLIS_KUBELET_PORT ?? '10250';
  const kubeletPort = Number(raw);
  if (!Number.isInteger(kubeletPort) || kubeletPort < 1024 || kubeletPort > 65535) {
    throw new RangeError(`PORTCULLIS_KUBELET_PORT must be a port number from 1024 to 65535, got "${raw}"`);
  }
  const dir = join(cacheDir, 'node');
  return Object.freeze({
    dir,
    imagesDir: join(dir, 'images'),
    cniBinDir: env.PORTCULLIS_CNI_BIN_DIR ?? '/usr/lib/cni',
    network: Object.freeze({
      nodeName: 'portcullis-node',
      nodeIp: env.PORTCULLIS_NODE_IP ?? discoverNodeIp(),
      bridge: 'pcbr0',
      podSubnet: '10.244.0.0/24',
      gatewayIp: '10.244.0.1',
      kubeletPort,
    }),
  });
}

/** Runs e2e/scripts/install-node-tools.sh (a no-op when cached) and returns the folder with the node's binaries. */
export function installNodeTools(repoRoot: string, cacheDir: string): string {
  const out = execFileSync('bash', [join(repoRoot, 'e2e/scripts/install-node-tools.sh')], {
    env: { ...process.env, PORTCULLIS_CACHE: cacheDir },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const binDir = out.trim().split('\n').at(-1);
  if (!binDir) throw new Error('install-node-tools.sh printed no binary folder');
  return binDir;
}
