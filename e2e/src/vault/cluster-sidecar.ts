// A cluster-mode sidecar for one pod of the e2e control plane, with the projected tokens an injected pod
// gets (identity, API, Vault audience), built in-process so tests read its logs, audit lines and metrics.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { buildSidecar, createLogger, parseOptions, sidecarKubeClient, type Sidecar } from '@portcullis/sidecar';
import { clusterEnv, kubeConfig } from '../support/cluster.js';
import { requestPodBoundToken } from '../support/workloads.js';

export interface ClusterSidecar {
  readonly sidecar: Sidecar;
  /** The pod's projected token of audience vault (what the sidecar logs in to Vault with). */
  readonly vaultJwt: string;
  readonly logs: string[];
  readonly audit: string[];
}

export async function startClusterSidecar(pod: V1Pod, dir: string): Promise<ClusterSidecar> {
  const ns = pod.metadata?.namespace ?? '';
  for (const d of ['identity', 'api', 'vault', 'sources']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'identity/token'), await requestPodBoundToken(pod, ['portcullis'], 3600));
  writeFileSync(join(dir, 'api/token'), await requestPodBoundToken(pod, [clusterEnv().serviceAccountIssuer], 3600));
  writeFileSync(join(dir, 'api/ca.crt'), Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
  const vaultJwt = await requestPodBoundToken(pod, ['vault'], 3600);
  writeFileSync(join(dir, 'vault/token'), vaultJwt);
  const options = parseOptions(
    ['--namespace', ns, '--api-server', clusterEnv().server, '--api-token-file', join(dir, 'api/token'), '--api-ca-file', join(dir, 'api/ca.crt'),
      '--identity-token-file', join(dir, 'identity/token'), '--vault-jwt-file', join(dir, 'vault/token'), '--secrets-dir', join(dir, 'sources'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', '--log-level', 'debug'],
    {},
  );
  const logs: string[] = [];
  const audit: string[] = [];
  const sidecar = buildSidecar(options, {
    log: createLogger('debug', { write: (line: string) => void logs.push(line) }),
    audit: { write: (line) => void audit.push(line) },
    kube: await sidecarKubeClient(options.mode.kind === 'cluster' ? options.mode.api : { kind: 'kubeconfig', path: '' }),
    defaultMetrics: false,
  });
  await sidecar.start();
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
