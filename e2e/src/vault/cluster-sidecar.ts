// The shipped sidecar executable in cluster mode for one pod of the e2e control plane (support/cluster-
// sidecar.ts, issue 12), with the pod's Vault-audience token mounted where the webhook mounts it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { mountSidecarTokens, startClusterSidecar, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { requestPodBoundToken } from '../support/workloads.js';

export interface VaultSidecar {
  readonly sidecar: ClusterSidecar;
  /** The pod's projected token of audience vault (what the sidecar logs in to Vault with). */
  readonly vaultJwt: string;
  /** JSON log lines (stderr) and audit lines (stdout) as they arrive. */
  readonly logs: string[];
  readonly audit: string[];
}

/** Mounts the pod's identity, API and Vault tokens under `dir` and starts the sidecar; waits until `ports` are served. */
export async function startVaultSidecar(pod: V1Pod, dir: string, ports: readonly number[]): Promise<VaultSidecar> {
  const ns = pod.metadata?.namespace ?? '';
  await mountSidecarTokens(dir, pod, 3600);
  mkdirSync(join(dir, 'vault'), { recursive: true });
  mkdirSync(join(dir, 'sources'), { recursive: true });
  const vaultJwt = await requestPodBoundToken(pod, ['vault'], 3600);
  writeFileSync(join(dir, 'vault/token'), vaultJwt);
  const logs: string[] = [];
  const audit: string[] = [];
  const [port = 0] = ports;
  const sidecar = await startClusterSidecar({
    ns, dir, port, readyTimeoutMs: 30_000,
    args: ['--vault-jwt-file', join(dir, 'vault/token'), '--log-level', 'debug'],
    log: { write: (line) => void logs.push(line) },
    audit: { write: (line) => void audit.push(line) },
  });
  return { sidecar, vaultJwt, logs, audit };
}

export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
