// The kill switch's per-pod Role controller (ADR 16) in the webhook process on the real API server: an
// injected pod gets a Role naming it and a RoleBinding to its service account; the pod's own token then
// reads and watches that one Pod and nothing else; the shipped sidecar executable sees
// portcullis.dev/suspend=true with no Role made by the test; a Role deleted by hand comes back; deleting
// the pod removes both (no kube-controller-manager runs here, so not by garbage collection).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, Watch, type V1PolicyRule, type V1Pod, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, kubeConfig, kubectl } from '../support/cluster.js';
import { createAgentPolicy, createApiSource, getCode, mountSidecarTokens, startClusterSidecar, stopAndRemove, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, deletePod, requestPodBoundToken } from '../support/workloads.js';
import { startWorld, until, type World } from './world.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'e2e-pod-role-key';
const INJECT = { 'portcullis.dev/inject': 'true' };
/** The chart's webhook rules for this controller (charts/portcullis/templates/webhook-rbac.yaml; render.e2e.test.ts checks the chart has them). */
const CONTROLLER_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'update', 'delete'] },
];

const rbac = (): RbacAuthorizationV1Api => kubeConfig().makeApiClient(RbacAuthorizationV1Api);
const core = (): CoreV1Api => kubeConfig().makeApiClient(CoreV1Api);
const orNone = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** A client that authenticates with `token` only (no admin certificate). */
function tokenKubeConfig(token: string): KubeConfig {
  const admin = kubeConfig();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: clusterEnv().server, caData: admin.getCurrentCluster()?.caData, skipTLSVerify: false }],
    users: [{ name: 'pod', token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'pod' }],
    currentContext: 'c',
  });
  return kc;
}

/** Opens a watch with `fieldSelector=metadata.name=<pod>` and resolves with its first event's pod name, or rejects. */
async function firstWatchEvent(kc: KubeConfig, ns: string, pod: string): Promise<string> {
  let abort: () => void = () => undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      new Watch(kc)
        .watch(`/api/v1/namespaces/${ns}/pods`, { fieldSelector: `metadata.name=${pod}` }, (_type: string, obj: V1Pod) => resolve(obj.metadata?.name ?? ''), (err: unknown) => reject(err instanceof Error ? err : new Error('the watch ended before its first event')))
        .then((c) => (abort = () => c.abort()), reject);
    });
  } finally {
    abort();
  }
}

describe('the per-pod Role controller (kill switch RBAC) in the webhook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-podrole-'));
  const port = testPort();
  let world: World;
  let ns: string;
  let agent: V1Pod;
  let upstream: Upstream | undefined;
  let sidecar: ClusterSidecar | undefined;
  const role = (pod: string): Promise<V1Role | undefined> => orNone(rbac().readNamespacedRole({ namespace: ns, name: `portcullis-pod-${pod}` }));
  const binding = (pod: string): Promise<V1RoleBinding | undefined> => orNone(rbac().readNamespacedRoleBinding({ namespace: ns, name: `portcullis-pod-${pod}` }));

  beforeAll(async () => {
    world = await startWorld({ args: ['--pod-role-resync-seconds', '1'] });
    ns = world.namespaces[0] ?? '';
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    // Through the API server and the webhook: the pod comes back injected (the status annotation).
    agent = await createPod(ns, 'agent-0', { serviceAccount: 'agent', labels: { app: 'agent' }, annotations: { ...INJECT, team: 'ai' } });
    // Another service account: RBAC binds service accounts, so pods sharing one read each other's Pod (ADR 16).
    await createServiceAccount(ns, 'neighbour');
    await createPod(ns, 'neighbour-0', { serviceAccount: 'neighbour', annotations: INJECT });
    await createPod(ns, 'plain-0', { serviceAccount: 'agent' });
  }, 90_000);

  afterAll(async () => {
    await stopAndRemove(sidecar, upstream, dir).finally(() => world?.cleanup());
  }, 120_000);

  it('creates portcullis-pod-<pod> for each injected pod: get/list/watch on that pod, bound to its service account, owned by it', async () => {
    expect(agent.metadata?.annotations?.['portcullis.dev/status']).toBeDefined();
    const r = await until(() => role('agent-0'), (x) => x !== undefined, 10_000, 'the Role of agent-0');
    expect(r?.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: ['agent-0'] }]);
    expect(r?.metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'agent-0', uid: agent.metadata?.uid }]);
    const b = await until(() => binding('agent-0'), (x) => x !== undefined, 10_000, 'the RoleBinding of agent-0');
    expect(b?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'portcullis-pod-agent-0' });
    expect(b?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'agent', namespace: ns }]);
    await until(() => role('neighbour-0'), (x) => x !== undefined, 10_000, 'the Role of neighbour-0');
    // A pod the webhook did not inject gets nothing.
    expect(await role('plain-0')).toBeUndefined();
    expect(await world.webhook.metrics()).toMatch(/portcullis_webhook_pod_role_writes_total\{kind="role",action="create",result="ok"\} [1-9]/);
  });

  it("lets the pod's own token get and watch its own Pod, and refuses another pod and the namespace's list", async () => {
    await until(() => binding('agent-0'), (x) => x !== undefined, 10_000, 'the RoleBinding of agent-0');
    const kc = tokenKubeConfig(await requestPodBoundToken(agent, [clusterEnv().serviceAccountIssuer], 600));
    const api = kc.makeApiClient(CoreV1Api);
    await expect(api.readNamespacedPod({ namespace: ns, name: 'agent-0' })).resolves.toMatchObject({ metadata: { name: 'agent-0' } });
    await expect(firstWatchEvent(kc, ns, 'agent-0')).resolves.toBe('agent-0');
    await expect(api.readNamespacedPod({ namespace: ns, name: 'neighbour-0' })).rejects.toMatchObject({ code: 403 });
    await expect(api.listNamespacedPod({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    await expect(api.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=neighbour-0' })).rejects.toMatchObject({ code: 403 });
  });

  it('the shipped sidecar suspends on portcullis.dev/suspend=true within 1 s and resumes, with only the controller’s Role', async () => {
    await mountSidecarTokens(dir, agent, 3600);
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
    await createApiSource(ns, dir, port, upstream, KEY);
    await createAgentPolicy(ns, [{ effect: 'Allow', source: 'api' }]);
    sidecar = await startClusterSidecar({ ns, dir, port, readyTimeoutMs: 20_000 });
    const url = `http://127.0.0.1:${port}/v1/x`;
    await until(() => getCode(url), (v) => v.status === 200, 15_000, 'the source to answer 200');
    for (let i = 0; i < 3; i++) {
      let since = Date.now();
      await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'add', path: '/metadata/labels/portcullis.dev~1suspend', value: 'true' }] });
      await until(() => getCode(url), (v) => v.status === 403 && v.code === 'SUSPENDED', 5000, 'SUSPENDED');
      expect(Date.now() - since).toBeLessThanOrEqual(1000);
      since = Date.now();
      await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'remove', path: '/metadata/labels/portcullis.dev~1suspend' }] });
      await until(() => getCode(url), (v) => v.status === 200, 5000, 'resumed');
      expect(Date.now() - since).toBeLessThanOrEqual(1000);
    }
    expect(await sidecar.metrics()).not.toMatch(/portcullis_sidecar_informer_errors_total\{resource="pods"\} [1-9]/);
  }, 60_000);

  it('puts back a Role deleted or widened by hand on the next resync', async () => {
    await rbac().deleteNamespacedRoleBinding({ namespace: ns, name: 'portcullis-pod-neighbour-0' });
    const r = await until(() => role('neighbour-0'), (x) => x !== undefined, 10_000, 'the Role of neighbour-0');
    await rbac().replaceNamespacedRole({ namespace: ns, name: 'portcullis-pod-neighbour-0', body: { ...r, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] } });
    await until(() => binding('neighbour-0'), (x) => x !== undefined, 10_000, 'the RoleBinding of neighbour-0 to come back');
    const fixed = await until(() => role('neighbour-0'), (x) => x?.rules?.[0]?.resourceNames?.[0] === 'neighbour-0', 10_000, 'the Role of neighbour-0 to be narrowed again');
    expect(fixed?.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: ['neighbour-0'] }]);
  });

  it('deletes the Role and RoleBinding when the pod is deleted', async () => {
    await until(() => role('neighbour-0'), (x) => x !== undefined, 10_000, 'the Role of neighbour-0');
    await deletePod(ns, 'neighbour-0');
    await until(async () => [await role('neighbour-0'), await binding('neighbour-0')], ([a, b]) => a === undefined && b === undefined, 10_000, 'the Role and RoleBinding of neighbour-0 to go');
    expect(await role('agent-0')).toBeDefined();
  });

  it('the chart’s rules suffice to grant the Role without bind or escalate, and are needed (RBAC escalation prevention)', async () => {
    const grant = async (sa: string, rules: V1PolicyRule[]): Promise<void> => {
      await createServiceAccount(ns, sa);
      await rbac().createNamespacedRole({ namespace: ns, body: { metadata: { name: sa }, rules } });
      await rbac().createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: sa }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] } });
    };
    await grant('controller', CONTROLLER_RULES);
    await grant('no-pods', CONTROLLER_RULES.slice(1));
    const podRole = (name: string): string =>
      JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: ['agent-0'] }] });
    const as = (sa: string): string => `--as=system:serviceaccount:${ns}:${sa}`;
    const ok = await kubectl(['create', '-f', '-', as('controller')], { namespace: ns, input: podRole('granted-by-controller') });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const refused = await kubectl(['create', '-f', '-', as('no-pods')], { namespace: ns, input: podRole('granted-by-no-pods') });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/forbidden.*attempting to grant RBAC permissions not currently held/s);
  });
});
