import { clusterConfig, installTools, type ClusterConfig } from './config.js';
import { startControlPlane } from './control-plane.js';
import type { ClusterState } from './layout.js';

export interface LocalControlPlane {
  readonly config: ClusterConfig;
  readonly binDir: string;
  readonly state: ClusterState;
  readonly reused: boolean;
}

/** Builds or reuses the binaries, then starts or reuses the control plane configured by `env`. */
export async function startLocalControlPlane(
  env: Readonly<Record<string, string | undefined>>,
  repoRoot: string,
  log: (line: string) => void,
): Promise<LocalControlPlane> {
  const config = clusterConfig(env, repoRoot);
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
  return { config, binDir, state, reused };
}
