// What a platform engineer tries before installing the webhook in a shared cluster, on the real
// kube-apiserver: pods that already use our names, an app on the proxy's admin port, the API server's
// own kube-api-access token, and a namespace whose ResourceQuota covers limits.cpu.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { kubectl } from '../support/cluster.js';
import { startWorld, type World } from './world.js';

const SIDECAR = 'portcullis-proxy';
const INJECT = { 'portcullis.dev/inject': 'true' };

function manifest(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = INJECT): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec });
}

async function getPod(namespace: string, name: string): Promise<V1Pod | undefined> {
  const r = await kubectl(['get', 'pod', name, '-o', 'json', '--ignore-not-found'], { namespace });
  return r.stdout.trim() === '' ? undefined : (JSON.parse(r.stdout) as V1Pod);
}

const proxyOf = (pod: V1Pod | undefined): V1Container | undefined => pod?.spec?.initContainers?.find((c) => c.name === SIDECAR);

describe('the webhook in a multi-tenant cluster', () => {
  let world: World;
  let ns: string;
  let quotaNs: string;

  beforeAll(async () => {
    world = await startWorld({ namespaces: 2 });
    [ns = '', quotaNs = ''] = world.namespaces;
  }, 90_000);

  afterAll(async () => {
    await world?.cleanup();
  }, 120_000);

  it('refuses a pod whose own emptyDir is called portcullis-identity, and never creates it with our token', async () => {
    const spec = {
      containers: [{ name: 'app', image: 'registry.example/app:1', volumeMounts: [{ name: 'portcullis-identity', mountPath: '/data' }] }],
      volumes: [{ name: 'portcullis-identity', emptyDir: {} }],
    };
    const r = await kubectl(['create', '-f', '-'], { namespace: ns, input: manifest('cache', spec) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Warning: portcullis: \[NAME_CLASH\] the pod has its own volume named portcullis-identity \(mounted by container app at \/data\)/);
    expect(r.stderr).toMatch(/denied the request: portcullis: \[NAME_CLASH\].*rename that volume/);
    expect(await getPod(ns, 'cache')).toBeUndefined();
  });

  it('refuses a pod with its own container named portcullis-proxy instead of deleting it', async () => {
    const spec = { containers: [{ name: SIDECAR, image: 'registry.example/squid:6' }, { name: 'app', image: 'registry.example/app:1' }] };
    const r = await kubectl(['create', '-f', '-'], { namespace: ns, input: manifest('own-proxy', spec) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\[NAME_CLASH\] the pod has its own container named portcullis-proxy.*rename that container/);
    expect(await getPod(ns, 'own-proxy')).toBeUndefined();
  });

  it('replaces the stale proxy and volumes of a spec copied from an injected pod, with a warning', async () => {
    expect((await kubectl(['create', '-f', '-'], { namespace: ns, input: manifest('original', { containers: [{ name: 'app', image: 'registry.example/app:1' }] }) })).code).toBe(0);
    const original = (await getPod(ns, 'original')) as V1Pod;
    const annotations = { ...original.metadata?.annotations };
    delete annotations['portcullis.dev/status'];
    const spec = JSON.parse(JSON.stringify(original.spec)) as NonNullable<V1Pod['spec']>;
    const stale = proxyOf({ spec });
    if (stale) stale.image = 'registry.example/portcullis-sidecar:old';
    // As `kubectl get -o yaml` would give it, minus what the API server refuses on create (priority).
    const copy = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'copy', annotations }, spec: { ...spec, priority: undefined } };
    const r = await kubectl(['create', '-f', '-'], { namespace: ns, input: JSON.stringify(copy) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: portcullis: replaced a stale copy of the proxy's objects.*container portcullis-proxy, volume portcullis-identity/);
    const pod = await getPod(ns, 'copy');
    expect([...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].filter((c) => c.name === SIDECAR)).toHaveLength(1);
    expect(proxyOf(pod)?.image).toBe('registry.example/portcullis-sidecar:e2e');
    expect(pod?.spec?.volumes?.filter((v) => v.name === 'portcullis-identity')).toHaveLength(1);
  });

  it('moves the admin port off one the app declares, probes included', async () => {
    const spec = { containers: [{ name: 'app', image: 'registry.example/app:1', ports: [{ name: 'metrics', containerPort: 15190 }] }] };
    const r = await kubectl(['create', '-f', '-'], { namespace: ns, input: manifest('metrics-app', spec) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/container app declares port 15190: the proxy's admin port \(probes, \/metrics\) is 15191 instead/);
    const proxy = proxyOf(await getPod(ns, 'metrics-app'));
    expect(proxy?.args?.join(' ')).toContain('--admin-port 15191');
    expect(proxy?.ports).toEqual([{ name: 'portcullis-adm', containerPort: 15191, protocol: 'TCP' }]);
    expect([proxy?.startupProbe, proxy?.readinessProbe, proxy?.livenessProbe].map((p) => p?.httpGet?.port)).toEqual([15191, 15191, 15191]);
  });

  it('leaves the kube-api-access token the ServiceAccount plugin adds to the app out of the proxy', async () => {
    expect((await kubectl(['create', '-f', '-'], { namespace: ns, input: manifest('tokens', { containers: [{ name: 'app', image: 'registry.example/app:1' }] }) })).code).toBe(0);
    const pod = await getPod(ns, 'tokens');
    const app = pod?.spec?.containers.find((c) => c.name === 'app');
    // The plugin is on and mounts its token into the app (this is what the proxy used to get as well) …
    expect(app?.volumeMounts?.map((m) => m.name).join(' ')).toMatch(/kube-api-access-/);
    // … but not into the proxy, whose standard token path is its own projected API token.
    const proxy = proxyOf(pod);
    expect(proxy?.volumeMounts?.filter((m) => m.name.startsWith('kube-api-access-'))).toEqual([]);
    expect(proxy?.volumeMounts).toContainEqual({ name: 'portcullis-api', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
  });

  it('admits an injected pod in a namespace whose ResourceQuota covers limits.cpu', async () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'cpu' }, spec: { hard: { 'limits.cpu': '8' } } };
    expect((await kubectl(['create', '-f', '-'], { namespace: quotaNs, input: JSON.stringify(quota) })).code).toBe(0);
    // No controller-manager here: publish the quota's status as its controller would.
    const status = JSON.stringify({ status: { hard: { 'limits.cpu': '8' }, used: { 'limits.cpu': '0' } } });
    const patched = await kubectl(['patch', 'resourcequota', 'cpu', '--subresource=status', '--type=merge', '-p', status], { namespace: quotaNs });
    expect(patched.code).toBe(0);
    const app = (limits?: Record<string, string>): Record<string, unknown> => ({
      containers: [{ name: 'app', image: 'registry.example/app:1', ...(limits ? { resources: { limits } } : {}) }],
    });
    // The quota is enforced: a container without a CPU limit is refused.
    const plain = await kubectl(['create', '-f', '-'], { namespace: quotaNs, input: manifest('no-limit', app(), {}) });
    expect(plain.stderr).toMatch(/must specify limits\.cpu/);

    const r = await kubectl(['create', '-f', '-'], { namespace: quotaNs, input: manifest('quota-app', app({ cpu: '500m' })) });
    expect(r.stderr).not.toMatch(/forbidden|must specify/);
    expect(r.code).toBe(0);
    expect(proxyOf(await getPod(quotaNs, 'quota-app'))?.resources?.limits).toMatchObject({ cpu: '1' });
  });
});
