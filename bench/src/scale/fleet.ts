// The pods of the scale bench, as the injected proxies of a real cluster would see them: namespaces of
// `podsPerNamespace` pods each, every namespace with its own CredentialSources (one per pod, so each
// sidecar on this one host listens on a port of its own: `--sources api-<j>`, as the webhook passes a
// pod's selected sources), realistic EgressPolicies (one per source with eight rules, for three service
// accounts) and the `bench` policy the revocation edit flips. Each pod is a Pod object (Pending: no
// kubelet) with two pod-bound tokens from TokenRequest — audience `portcullis` for the identity, the
// issuer's for the sidecar's own API access — and one cluster-mode sidecar process with the namespace-wide
// RBAC the chart grants (a Role for the custom resources and TokenReview create, bound to the namespace's
// service-account group).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ControlPlane } from '../lib/control-plane.ts';
import { send, waitForHttp } from '../lib/http.ts';
import { spawnPinned, type Proc } from '../lib/procs.ts';
import { sidecarCommand } from '../targets/sidecar.ts';
import { BEARER_KEY, PLACEHOLDER } from '../targets/world.ts';

const GROUP = { group: 'portcullis.dev', version: 'v1alpha1' };
const SERVICE_ACCOUNTS = ['agent-0', 'agent-1', 'agent-2'];
const TOKEN_REVIEW_ROLE = 'portcullis-scale-tokenreview';

export interface FleetOptions {
  readonly sidecar: string;
  readonly podsPerNamespace: number;
  /** Source port of pod j in namespace i: basePort + i·podsPerNamespace + j. */
  readonly basePort: number;
  readonly upstreamPort: number;
  /** `--identity-review-interval-seconds`; undefined: the flag is not passed (the sidecar's default, as injected). */
  readonly reviewIntervalS: number | undefined;
  /** Per-pod files (tokens, CA, source keys) go under here. */
  readonly dir: string;
  readonly log: (line: string) => void;
}

export interface ScalePod {
  readonly namespace: string;
  readonly name: string;
  readonly nsIndex: number;
  readonly source: string;
  readonly port: number;
  readonly dir: string;
  proc: Proc | undefined;
  /** What the sidecar was started with; a restart changes only the review interval. */
  args: readonly string[];
}

export interface Namespace {
  readonly name: string;
  readonly index: number;
  /** resourceVersion of the `bench` policy after the last write. */
  benchVersion: string | undefined;
  /** True while the `bench` policy allows GET /bytes/**. */
  granted: boolean;
}

interface E2e {
  readonly createNamespace: (prefix: string) => Promise<string>;
  readonly kubeConfig: () => KubeConfig;
  readonly createServiceAccount: (ns: string, name: string) => Promise<void>;
  readonly createPod: (ns: string, name: string, o: { serviceAccount: string }) => Promise<V1Pod>;
  readonly requestPodBoundToken: (pod: V1Pod, aud: string[], s: number) => Promise<string>;
}

const versionOf = (o: unknown): string | undefined => (o as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;

/** Eight rules a team might write for one API: reads, one write, denials that override. */
function appRules(source: string): object[] {
  return [
    { name: 'read-items', effect: 'Allow', source, methods: ['GET', 'HEAD'], paths: ['/v1/items', '/v1/items/**'] },
    { name: 'create-item', effect: 'Allow', source, methods: ['POST'], paths: ['/v1/items'] },
    { name: 'profiles', effect: 'Allow', source, methods: ['GET'], paths: ['/v1/users/*/profile'] },
    { name: 'reports', effect: 'Allow', source, methods: ['GET'], paths: ['/v2/reports/*/summary', '/v2/reports/*/rows/**'] },
    { name: 'search', effect: 'Allow', source, methods: ['POST'], paths: ['/v1/search'] },
    { name: 'no-admin', effect: 'Deny', source, paths: ['/admin/**', '/v1/admin/**'] },
    { name: 'no-delete', effect: 'Deny', source, methods: ['DELETE'] },
    { name: 'no-exports', effect: 'Deny', source, methods: ['GET'], paths: ['/v1/items/*/export'] },
  ];
}

export class Fleet {
  readonly pods: ScalePod[] = [];
  readonly namespaces: Namespace[] = [];
  private readonly custom: CustomObjectsApi;
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly caPem: Buffer;

  private readonly cp: ControlPlane;
  private readonly e2e: E2e;
  private readonly opts: FleetOptions;

  private constructor(cp: ControlPlane, e2e: E2e, opts: FleetOptions) {
    this.cp = cp;
    this.e2e = e2e;
    this.opts = opts;
    const kc = e2e.kubeConfig();
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    this.caPem = Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64');
  }

  static async create(cp: ControlPlane, opts: FleetOptions): Promise<Fleet> {
    const e2e = {
      ...(await cp.e2e<Pick<E2e, 'createNamespace' | 'kubeConfig'>>('support/cluster.js')),
      ...(await cp.e2e<Pick<E2e, 'createServiceAccount' | 'createPod' | 'requestPodBoundToken'>>('support/workloads.js')),
    };
    const fleet = new Fleet(cp, e2e, opts);
    await fleet.rbac
      .createClusterRole({ body: { metadata: { name: TOKEN_REVIEW_ROLE }, rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }] } })
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err;
      });
    return fleet;
  }

  /** Adds pods (and namespaces as they fill up) until there are `total`, `parallel` at a time. */
  async growTo(total: number, parallel: number): Promise<void> {
    const from = this.pods.length;
    const perNs = this.opts.podsPerNamespace;
    while (this.namespaces.length * perNs < total) await this.addNamespace();
    const indices = Array.from({ length: total - from }, (_, k) => from + k);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < indices.length) {
        const i = indices[next++] as number;
        await this.addPod(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, indices.length) }, worker));
    this.pods.sort((a, b) => a.port - b.port);
  }

  /** Restarts every sidecar with another review interval, `parallel` at a time. */
  async restartAll(reviewIntervalS: number, parallel: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.pods.length) {
        const pod = this.pods[next++] as ScalePod;
        await pod.proc?.stop();
        const args = [...pod.args];
        const at = args.indexOf('--identity-review-interval-seconds');
        if (at >= 0) args[at + 1] = String(reviewIntervalS);
        else args.push('--identity-review-interval-seconds', String(reviewIntervalS));
        pod.args = args;
        pod.proc = await this.startSidecar(pod);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  /** One GET through pod's sidecar: the status, 0 for no answer. */
  async probe(pod: ScalePod, timeoutMs = 2000): Promise<number> {
    const r = await send({ method: 'GET', url: `http://127.0.0.1:${pod.port}/bytes/1`, headers: { authorization: `Bearer ${PLACEHOLDER}` } }, timeoutMs).catch(() => ({ status: 0 }));
    return r.status;
  }

  /** Rewrites the namespace's `bench` policy: GET /bytes/** allowed (grant) or only /other/** (revoke). One API call. */
  async setBench(ns: Namespace, grant: boolean): Promise<void> {
    const body = this.benchPolicy(ns, grant ? '/bytes/**' : '/other/**');
    ns.benchVersion = versionOf(await this.custom.replaceNamespacedCustomObject({ ...GROUP, namespace: ns.name, plural: 'egresspolicies', name: 'bench', body }));
    ns.granted = grant;
  }

  podsOf(ns: Namespace): ScalePod[] {
    return this.pods.filter((p) => p.nsIndex === ns.index);
  }

  async stop(): Promise<void> {
    await Promise.all(this.pods.map(async (p) => p.proc?.stop()));
  }

  private sourceName(j: number): string {
    return `api-${j}`;
  }

  private benchPolicy(ns: Namespace, paths: string): object {
    const rules = Array.from({ length: this.opts.podsPerNamespace }, (_, j) => ({ name: `bench-${j}`, effect: 'Allow', source: this.sourceName(j), methods: ['GET'], paths: [paths] }));
    return {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'EgressPolicy',
      metadata: { name: 'bench', ...(ns.benchVersion ? { resourceVersion: ns.benchVersion } : {}) },
      spec: { workloads: { serviceAccounts: SERVICE_ACCOUNTS }, rules },
    };
  }

  private async addNamespace(): Promise<void> {
    const index = this.namespaces.length;
    const name = await this.e2e.createNamespace(`scale-${index}`);
    for (const sa of SERVICE_ACCOUNTS) await this.e2e.createServiceAccount(name, sa);
    const group = { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `system:serviceaccounts:${name}` };
    await this.rbac.createNamespacedRole({
      namespace: name,
      body: { metadata: { name: 'portcullis-sidecar' }, rules: [{ apiGroups: ['portcullis.dev'], resources: ['credentialsources', 'egresspolicies'], verbs: ['get', 'list', 'watch'] }] },
    });
    await this.rbac.createNamespacedRoleBinding({
      namespace: name,
      body: { metadata: { name: 'portcullis-sidecar' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'portcullis-sidecar' }, subjects: [group] },
    });
    await this.rbac.createClusterRoleBinding({
      body: { metadata: { name: `${TOKEN_REVIEW_ROLE}-${name}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: TOKEN_REVIEW_ROLE }, subjects: [group] },
    });
    const ns: Namespace = { name, index, benchVersion: undefined, granted: true };
    for (let j = 0; j < this.opts.podsPerNamespace; j++) {
      const source = this.sourceName(j);
      await this.custom.createNamespacedCustomObject({
        ...GROUP, namespace: name, plural: 'credentialsources',
        body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: source },
          spec: { type: 'http', port: this.opts.basePort + index * this.opts.podsPerNamespace + j,
            http: { upstream: `http://127.0.0.1:${this.opts.upstreamPort}`, allowPlaintextUpstream: true, injection: { type: 'Bearer' }, secretRef: { name: source, key: 'key' } } } },
      });
      await this.custom.createNamespacedCustomObject({
        ...GROUP, namespace: name, plural: 'egresspolicies',
        body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: `app-${j}` },
          spec: { workloads: { serviceAccounts: [SERVICE_ACCOUNTS[j % SERVICE_ACCOUNTS.length]] }, rules: appRules(source) } },
      });
    }
    ns.benchVersion = versionOf(await this.custom.createNamespacedCustomObject({ ...GROUP, namespace: name, plural: 'egresspolicies', body: this.benchPolicy(ns, '/bytes/**') }));
    this.namespaces.push(ns);
  }

  private async addPod(i: number): Promise<void> {
    const perNs = this.opts.podsPerNamespace;
    const ns = this.namespaces[Math.floor(i / perNs)] as Namespace;
    const j = i % perNs;
    const source = this.sourceName(j);
    const name = `pod-${j}`;
    const dir = join(this.opts.dir, ns.name, name);
    const pod = await this.e2e.createPod(ns.name, name, { serviceAccount: SERVICE_ACCOUNTS[j % SERVICE_ACCOUNTS.length] as string });
    for (const d of ['identity', 'api', `sources/${source}`]) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'identity/token'), await this.e2e.requestPodBoundToken(pod, ['portcullis'], 3600));
    writeFileSync(join(dir, 'api/token'), await this.e2e.requestPodBoundToken(pod, [this.cp.state.serviceAccountIssuer], 3600));
    writeFileSync(join(dir, 'api/ca.crt'), this.caPem);
    writeFileSync(join(dir, `sources/${source}/key`), BEARER_KEY);
    const args = ['--namespace', ns.name, '--sources', source, '--api-server', this.cp.state.server, '--api-token-file', join(dir, 'api/token'),
      '--api-ca-file', join(dir, 'api/ca.crt'), '--identity-token-file', join(dir, 'identity/token'), '--secrets-dir', join(dir, 'sources'),
      '--labels-file', join(dir, 'labels'), '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1',
      ...(this.opts.reviewIntervalS === undefined ? [] : ['--identity-review-interval-seconds', String(this.opts.reviewIntervalS)]), '--log-level', 'warn'];
    const entry: ScalePod = { namespace: ns.name, name, nsIndex: ns.index, source, port: this.opts.basePort + i, dir, proc: undefined, args };
    this.pods.push(entry);
    entry.proc = await this.startSidecar(entry);
  }

  /** Starts the pod's sidecar and waits until its source answers 200 (identity reviewed, policies synced, credential read). */
  private async startSidecar(pod: ScalePod): Promise<Proc> {
    const [file, args] = sidecarCommand(this.opts.sidecar, pod.args);
    const proc = spawnPinned(`sidecar ${pod.namespace}/${pod.name}`, file, args, { core: undefined, ignoreStdout: true });
    try {
      const ns = this.namespaces[pod.nsIndex] as Namespace;
      const want = ns.granted ? 200 : 403;
      await waitForHttp(`http://127.0.0.1:${pod.port}/bytes/1`, 60_000, proc, (r) => r.status === want);
      return proc;
    } catch (err) {
      await proc.stop();
      throw err;
    }
  }
}
