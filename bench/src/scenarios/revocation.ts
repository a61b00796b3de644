// Revocation latency on the real kube-apiserver: the e2e control plane, a sidecar process in cluster
// mode with a pod-bound identity token, and an EgressPolicy edited through the API. Latency = from issuing the edit to the first request the sidecar
// denies, probing every 2 ms; the grant back is timed the same way. The same setup also times fresh
// cluster-mode start-ups (spawn → /readyz 200: TokenReview done, both informers synced) and their idle
// RSS — the footprint a pod actually pays, next to the standalone numbers of the footprint scenario.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ControlPlane } from '../lib/control-plane.ts';
import { freePort, send, waitForHttp } from '../lib/http.ts';
import { spawnPinned } from '../lib/procs.ts';
import { summarize } from '../lib/stats.ts';
import type { Profile } from '../profile.ts';
import { SIDECAR_MAIN, sidecarCommand } from '../targets/sidecar.ts';
import { BEARER_KEY, PLACEHOLDER, PROXY_CORE, type World } from '../targets/world.ts';

export interface RevocationResult {
  readonly available: boolean;
  readonly reason?: string;
  readonly kubernetes?: string;
  readonly reusedControlPlane?: boolean;
  readonly samples?: number;
  /** Edit issued → first 403, ms. */
  readonly revokeMs?: ReturnType<typeof summarize>;
  /** Edit issued → first 200 again, ms. */
  readonly grantMs?: ReturnType<typeof summarize>;
  /** How long the API call itself took (part of the above), ms. */
  readonly apiCallMs?: ReturnType<typeof summarize>;
  /** Fresh cluster-mode sidecars: spawn → /readyz 200 (ms) and RSS 1 s after ready (MiB). */
  readonly clusterStart?: { readonly starts: number; readonly readyMs: ReturnType<typeof summarize>; readonly idleRssMiB: ReturnType<typeof summarize> };
}

const GROUP = { group: 'portcullis.dev', version: 'v1alpha1' };

async function untilStatus(url: string, want: number, timeoutMs: number, since: number): Promise<number> {
  for (;;) {
    const r = await send({ method: 'GET', url, headers: { authorization: `Bearer ${PLACEHOLDER}` } }, 2000).catch(() => ({ status: 0 }));
    const elapsed = performance.now() - since;
    if (r.status === want) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`no ${want} within ${timeoutMs} ms (last ${r.status})`);
    await new Promise((res) => setTimeout(res, 2));
  }
}

export async function revocationScenario(world: World, profile: Profile, cp: ControlPlane, dir: string, log: (line: string) => void): Promise<RevocationResult> {
  const { state } = cp;
  let sidecar: ReturnType<typeof spawnPinned> | undefined;
  try {
    const cluster = await cp.e2e<{ createNamespace(p: string): Promise<string>; kubeConfig(): KubeConfig }>('support/cluster.js');
    const workloads = await cp.e2e<{
      createServiceAccount(ns: string, name: string): Promise<void>;
      createPod(ns: string, name: string, o: { serviceAccount: string }): Promise<V1Pod>;
      requestPodBoundToken(pod: V1Pod, aud: string[], s: number): Promise<string>;
    }>('support/workloads.js');
    const rbac = await cp.e2e<{ grantSidecarAccess(ns: string, sa: string): Promise<void> }>('support/sidecar-rbac.js');

    const ns = await cluster.createNamespace('bench');
    await workloads.createServiceAccount(ns, 'agent');
    await rbac.grantSidecarAccess(ns, 'agent');
    const pod = await workloads.createPod(ns, 'agent-0', { serviceAccount: 'agent' });
    mkdirSync(join(dir, 'identity'), { recursive: true });
    mkdirSync(join(dir, 'api'), { recursive: true });
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    writeFileSync(join(dir, 'identity/token'), await workloads.requestPodBoundToken(pod, ['portcullis'], 3600));
    writeFileSync(join(dir, 'api/token'), await workloads.requestPodBoundToken(pod, [state.serviceAccountIssuer], 3600));
    writeFileSync(join(dir, 'api/ca.crt'), Buffer.from(cluster.kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
    writeFileSync(join(dir, 'sources/api/key'), BEARER_KEY);

    const custom = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
    const port = await freePort();
    await custom.createNamespacedCustomObject({
      ...GROUP, namespace: ns, plural: 'credentialsources',
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api' },
        spec: { type: 'http', port, http: { upstream: `http://127.0.0.1:${world.upstreamPort}`, allowPlaintextUpstream: true, injection: { type: 'Bearer' }, secretRef: { name: 'api-key', key: 'key' } } } },
    });
    let resourceVersion: string | undefined;
    const policy = (paths: string[]): object => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent', ...(resourceVersion ? { resourceVersion } : {}) },
      spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'bench', effect: 'Allow', source: 'api', methods: ['GET'], paths }] } });
    const versionOf = (o: unknown): string | undefined => (o as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    resourceVersion = versionOf(await custom.createNamespacedCustomObject({ ...GROUP, namespace: ns, plural: 'egresspolicies', body: policy(['/bytes/**']) }));

    const [file, args] = sidecarCommand(SIDECAR_MAIN, ['--namespace', ns, '--api-server', state.server, '--api-token-file', join(dir, 'api/token'),
      '--api-ca-file', join(dir, 'api/ca.crt'), '--identity-token-file', join(dir, 'identity/token'), '--secrets-dir', join(dir, 'sources'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', '--log-level', 'info']);
    const start = async (): Promise<{ proc: ReturnType<typeof spawnPinned>; readyMs: number }> => {
      const t0 = performance.now();
      const proc = spawnPinned('sidecar-cluster', file, args, { core: PROXY_CORE, ignoreStdout: true });
      const line = await proc.waitForLine((l) => l.includes('portcullis sidecar started'), 20_000);
      await waitForHttp(`http://127.0.0.1:${(JSON.parse(line) as { adminPort: number }).adminPort}/readyz`, 20_000, proc);
      return { proc, readyMs: performance.now() - t0 };
    };
    const readyMs: number[] = [];
    const idleRss: number[] = [];
    for (let i = 0; i < profile.startups; i++) {
      const fresh = await start();
      try {
        readyMs.push(fresh.readyMs);
        await new Promise((res) => setTimeout(res, 1000));
        idleRss.push(fresh.proc.memory().rssKiB / 1024);
        log(`cluster-mode start ${i + 1}/${profile.startups}: ready ${fresh.readyMs.toFixed(0)} ms, idle RSS ${idleRss.at(-1)?.toFixed(1)} MiB`);
      } finally {
        await fresh.proc.stop();
      }
    }
    const clusterStart = { starts: readyMs.length, readyMs: summarize(readyMs), idleRssMiB: summarize(idleRss) };
    sidecar = (await start()).proc;
    const url = `http://127.0.0.1:${port}/bytes/1`;
    await untilStatus(url, 200, 10_000, performance.now());

    const revoke: number[] = [];
    const grant: number[] = [];
    const api: number[] = [];
    for (let i = 0; i < profile.revocations; i++) {
      for (const [paths, want, into] of [[['/other/**'], 403, revoke], [['/bytes/**'], 200, grant]] as const) {
        const t0 = performance.now();
        // One API call: a replace carrying the resourceVersion the previous write returned.
        resourceVersion = versionOf(await custom.replaceNamespacedCustomObject({ ...GROUP, namespace: ns, plural: 'egresspolicies', name: 'agent', body: policy([...paths]) }));
        api.push(performance.now() - t0);
        into.push(await untilStatus(url, want, 10_000, t0));
      }
      log(`revocation ${i + 1}/${profile.revocations}: deny after ${revoke.at(-1)?.toFixed(1)} ms, allow again after ${grant.at(-1)?.toFixed(1)} ms`);
    }
    return { available: true, kubernetes: state.version, reusedControlPlane: cp.reused, samples: revoke.length, revokeMs: summarize(revoke), grantMs: summarize(grant), apiCallMs: summarize(api), clusterStart };
  } finally {
    await sidecar?.stop();
  }
}
