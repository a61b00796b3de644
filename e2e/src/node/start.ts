import { join } from 'node:path';
import { startLocalControlPlane } from '../cluster/start.js';
import { installNodeTools, nodeConfig, type NodeConfig } from './config.js';
import { startNode, type NodeState } from './node.js';
import type { ClusterState } from '../cluster/layout.js';
import type { ClusterConfig } from '../cluster/config.js';

export interface LocalNode {
  readonly config: NodeConfig;
  readonly cluster: ClusterState;
  readonly state: NodeState;
  readonly reused: boolean;
}

/** Starts (or reuses) the control plane, builds (or reuses) the node's binaries, then starts (or reuses) the node. */
export async function startLocalNode(env: Readonly<Record<string, string | undefined>>, repoRoot: string, log: (line: string) => void): Promise<LocalNode> {
  return startNodeOn(await startLocalControlPlane(env, repoRoot, log), env, repoRoot, log);
}

/**
 * Builds (or reuses) the node's binaries and starts (or reuses) the node on a control plane that runs
 * already (the e2e global setup's: restarting it would lose the CRDs the setup installed).
 */
export async function startNodeOn(
  plane: { readonly config: ClusterConfig; readonly state: ClusterState },
  env: Readonly<Record<string, string | undefined>>,
  repoRoot: string,
  log: (line: string) => void,
): Promise<LocalNode> {
  const config = nodeConfig(env, plane.config.cacheDir);
  const binDir = installNodeTools(repoRoot, plane.config.cacheDir);
  const { state, reused } = await startNode({
    dir: config.dir,
    cluster: plane.state,
    clusterPkiDir: join(plane.config.clusterDir, 'pki'),
    apiserverPort: plane.config.ports.apiserver,
    binDir,
    imagesDir: config.imagesDir,
    cniBinDir: config.cniBinDir,
    network: config.network,
    startTimeoutMs: Math.max(plane.config.startTimeoutMs, 120_000),
    now: () => new Date(),
    log,
  });
  if (reused) log(`reusing the running node ${state.nodeName}`);
  return { config, cluster: plane.state, state, reused };
}
