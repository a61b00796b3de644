// helm install, upgrade and uninstall against the real API server. There is no kubelet, so the webhook
// pods never run: each release's MutatingWebhookConfiguration only matches namespaces carrying a label
// unique to that release, so it cannot touch pods of other tests sharing the control plane.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthorizationV1Api, type V1ResourceAttributes } from '@kubernetes/client-node';
import { createNamespace, helm, kubeConfig, kubectl } from '../support/cluster.js';
import { createServiceAccount } from '../support/workloads.js';
import { TEST_TIMEOUT_MS, chartDir, helmWithValues, parseObjects, webhookFlags, type K8sObject } from './chart.js';
import { clusterScopedKinds, fetchObject, podCreation, releaseObjects, type ObjectRef } from './cluster-objects.js';

const SELECTOR_LABEL = 'portcullis.dev/chart-e2e';
const CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

interface Release {
  readonly name: string;
  readonly namespace: string;
  /** Namespace the webhook configuration selects (labelled for this release only). */
  readonly appNamespace: string;
  /** Namespace whose every service account is bound to the sidecar role. */
  readonly teamNamespace: string;
  /** Values that keep the release harmless to other tests, with overrides merged into webhook and sidecar. */
  values(overrides?: { webhook?: object; sidecar?: object }): object;
}

async function newRelease(): Promise<Release> {
  const name = `e2e-${randomBytes(3).toString('hex')}`;
  const namespace = await createNamespace('chart');
  const appNamespace = await createNamespace('chart-app');
  const teamNamespace = await createNamespace('chart-team');
  await kubectl(['label', 'namespace', appNamespace, `${SELECTOR_LABEL}=${name}`]);
  await createServiceAccount(appNamespace, 'agent');
  return {
    name,
    namespace,
    appNamespace,
    teamNamespace,
    values: (overrides = {}) => ({
      webhook: { failurePolicy: 'Ignore', namespaceSelector: { matchLabels: { [SELECTOR_LABEL]: name } }, ...overrides.webhook },
      sidecar: { rbac: { serviceAccounts: [{ namespace: appNamespace, name: 'agent' }], namespaces: [teamNamespace] }, ...overrides.sidecar },
    }),
  };
}

async function install(release: Release, values: object): Promise<void> {
  const result = await helmWithValues(['install', release.name, chartDir, '--namespace', release.namespace], values);
  if (result.code !== 0) throw new Error(`helm install failed: ${result.stderr}`);
}

/** Always safe to call: an already removed release is not an error. */
async function uninstall(release: Release | undefined): Promise<void> {
  if (release) await helm(['uninstall', release.name, '--namespace', release.namespace, '--wait', '--ignore-not-found']);
}

async function manifest(release: Release): Promise<K8sObject[]> {
  const result = await helm(['get', 'manifest', release.name, '--namespace', release.namespace]);
  expect(result.code).toBe(0);
  return parseObjects(result.stdout);
}

async function allowed(attributes: V1ResourceAttributes, user: string, groups: string[]): Promise<boolean> {
  const api = kubeConfig().makeApiClient(AuthorizationV1Api);
  const review = await api.createSubjectAccessReview({ body: { spec: { user, groups, resourceAttributes: attributes } } });
  return review.status?.allowed === true;
}

const serviceAccountUser = (namespace: string, name: string): [string, string[]] => [
  `system:serviceaccount:${namespace}:${name}`,
  ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
];

describe('helm install', () => {
  let release: Release;
  const webhookName = (): string => `${release.name}-portcullis-webhook`;

  beforeAll(async () => {
    release = await newRelease();
    await install(release, release.values());
  }, 60_000);

  afterAll(() => uninstall(release), 60_000);

  it('creates every object of the release, cluster-scoped ones included', async () => {
    const objects = await manifest(release);
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'MutatingWebhookConfiguration', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']),
    );
    const refs: ObjectRef[] = objects.map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: clusterScopedKinds.has(o.kind) ? undefined : (o.metadata.namespace ?? release.namespace) }));
    const found = await Promise.all(refs.map(async (ref) => ({ ref, found: (await fetchObject(ref)) !== undefined })));
    expect(found).toEqual(refs.map((ref) => ({ ref, found: true })));
  }, TEST_TIMEOUT_MS);

  it('registers the webhook with the values given: failurePolicy, timeout, selectors, pods on CREATE', async () => {
    const mwc = await fetchObject({ kind: 'MutatingWebhookConfiguration', name: webhookName() });
    const [webhook] = (mwc?.webhooks ?? []) as Record<string, unknown>[];
    expect(webhook).toMatchObject({
      name: 'inject.portcullis.dev',
      failurePolicy: 'Ignore',
      timeoutSeconds: 5,
      sideEffects: 'NoneOnDryRun',
      reinvocationPolicy: 'IfNeeded',
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { name: webhookName(), namespace: release.namespace, path: '/mutate', port: 443 } },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: {
        matchLabels: { [SELECTOR_LABEL]: release.name },
        matchExpressions: expect.arrayContaining([
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', release.namespace] },
        ]),
      },
    });
  }, TEST_TIMEOUT_MS);

  it('admits an opted-in pod without the proxy while the webhook is unreachable, with failurePolicy Ignore', async () => {
    const created = await podCreation(release.appNamespace, 'ignored-0', { 'portcullis.dev/inject': 'true' });
    expect(created).toEqual({ code: 0, initContainers: [], containers: ['app'] });
  }, TEST_TIMEOUT_MS);

  it('lets a bound service account read our resources and review tokens, and nothing on Secrets', async () => {
    const [user, groups] = serviceAccountUser(release.appNamespace, 'agent');
    const ns = release.appNamespace;
    const can = (attributes: V1ResourceAttributes): Promise<boolean> => allowed(attributes, user, groups);
    expect(await can({ namespace: ns, group: 'portcullis.dev', resource: 'credentialsources', verb: 'list' })).toBe(true);
    expect(await can({ namespace: ns, group: 'portcullis.dev', resource: 'egresspolicies', verb: 'watch' })).toBe(true);
    expect(await can({ group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create' })).toBe(true);
    for (const verb of ['get', 'list', 'watch']) expect({ verb, allowed: await can({ namespace: ns, resource: 'secrets', verb }) }).toEqual({ verb, allowed: false });
    expect(await can({ namespace: ns, group: 'portcullis.dev', resource: 'egresspolicies', verb: 'update' })).toBe(false);
    expect(await can({ namespace: release.teamNamespace, group: 'portcullis.dev', resource: 'egresspolicies', verb: 'list' })).toBe(false);
  }, TEST_TIMEOUT_MS);

  it('binds every service account of a listed namespace, and still nothing on Secrets', async () => {
    const [user, groups] = serviceAccountUser(release.teamNamespace, 'any-workload');
    const ns = release.teamNamespace;
    expect(await allowed({ namespace: ns, group: 'portcullis.dev', resource: 'credentialsources', verb: 'get' }, user, groups)).toBe(true);
    expect(await allowed({ group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create' }, user, groups)).toBe(true);
    expect(await allowed({ namespace: ns, resource: 'secrets', verb: 'get' }, user, groups)).toBe(false);
  }, TEST_TIMEOUT_MS);

  it('limits the webhook to our resources, its own Secret, Lease and configuration, and no other Secret', async () => {
    const [user, groups] = serviceAccountUser(release.namespace, webhookName());
    const can = (attributes: V1ResourceAttributes): Promise<boolean> => allowed(attributes, user, groups);
    expect(await can({ group: 'portcullis.dev', resource: 'credentialsources', verb: 'watch' })).toBe(true);
    expect(await can({ namespace: release.appNamespace, group: 'portcullis.dev', resource: 'egresspolicies', subresource: 'status', verb: 'patch' })).toBe(true);
    expect(await can({ namespace: release.appNamespace, resource: 'events', verb: 'create' })).toBe(true);
    expect(await can({ group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', name: webhookName(), verb: 'update' })).toBe(true);
    expect(await can({ group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', name: 'someone-else', verb: 'update' })).toBe(false);
    expect(await can({ namespace: release.namespace, resource: 'secrets', name: `${webhookName()}-tls`, verb: 'update' })).toBe(true);
    expect(await can({ namespace: release.namespace, resource: 'secrets', name: 'another-secret', verb: 'get' })).toBe(false);
    expect(await can({ namespace: release.namespace, group: 'coordination.k8s.io', resource: 'leases', name: webhookName(), verb: 'update' })).toBe(true);
    expect(await can({ namespace: release.appNamespace, resource: 'secrets', verb: 'get' })).toBe(false);
    expect(await can({ namespace: release.appNamespace, resource: 'pods', verb: 'create' })).toBe(false);
  }, TEST_TIMEOUT_MS);
});

describe('helm upgrade', () => {
  let release: Release;

  beforeAll(async () => {
    release = await newRelease();
    await install(release, release.values());
    // What the webhook does at run time in tls.mode self-signed: publish its CA into the configuration.
    const patch = [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: CA_BUNDLE }];
    const published = await kubectl(['patch', 'mutatingwebhookconfiguration', `${release.name}-portcullis-webhook`, '--type=json', '-p', JSON.stringify(patch)]);
    if (published.code !== 0) throw new Error(`publishing a caBundle failed: ${published.stderr}`);
    const values = release.values({
      webhook: { failurePolicy: 'Fail', timeoutSeconds: 7, replicas: 3, podDisruptionBudget: { enabled: false, minAvailable: 1 } },
      sidecar: { image: { repository: 'sidecar', tag: '0.1.1', digest: '', pullPolicy: 'Always' } },
    });
    const result = await helmWithValues(['upgrade', release.name, chartDir, '--namespace', release.namespace], values);
    if (result.code !== 0) throw new Error(`helm upgrade failed: ${result.stderr}`);
  }, 60_000);

  afterAll(() => uninstall(release), 60_000);

  it('changes the webhook configuration in place', async () => {
    const mwc = await fetchObject({ kind: 'MutatingWebhookConfiguration', name: `${release.name}-portcullis-webhook` });
    expect((mwc?.webhooks as Record<string, unknown>[])[0]).toMatchObject({ failurePolicy: 'Fail', timeoutSeconds: 7 });
  }, TEST_TIMEOUT_MS);

  it('keeps the caBundle the webhook published, so an upgrade never makes the API server distrust it', async () => {
    const mwc = await fetchObject({ kind: 'MutatingWebhookConfiguration', name: `${release.name}-portcullis-webhook` });
    expect((mwc?.webhooks as { clientConfig: { caBundle?: string } }[])[0]?.clientConfig.caBundle).toBe(CA_BUNDLE);
  }, TEST_TIMEOUT_MS);

  it('hands the new sidecar image to the webhook and scales it', async () => {
    const deployment = await fetchObject({ kind: 'Deployment', name: `${release.name}-portcullis-webhook`, namespace: release.namespace });
    expect(deployment).toBeDefined();
    const flags = webhookFlags(deployment as K8sObject);
    expect(flags.get('sidecar-image')).toBe('ghcr.io/portcullis/sidecar:0.1.1');
    expect(flags.get('sidecar-image-pull-policy')).toBe('Always');
    expect((deployment?.spec as { replicas: number }).replicas).toBe(3);
  }, TEST_TIMEOUT_MS);

  it('removes what the new values no longer render', async () => {
    expect(await fetchObject({ kind: 'PodDisruptionBudget', name: `${release.name}-portcullis-webhook`, namespace: release.namespace })).toBeUndefined();
  }, TEST_TIMEOUT_MS);

  it('with failurePolicy Fail rejects an opted-in pod while the webhook is unreachable', async () => {
    const rejected = await podCreation(release.appNamespace, 'asked-0', { 'portcullis.dev/inject': 'true' });
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain('failed calling webhook "inject.portcullis.dev"');
  }, TEST_TIMEOUT_MS);

  it('with failurePolicy Fail never sends pods that did not opt in (or opted out) to the webhook', async () => {
    expect((await podCreation(release.appNamespace, 'plain-0', {})).code).toBe(0);
    expect((await podCreation(release.appNamespace, 'opted-out-0', { 'portcullis.dev/inject': 'false' })).code).toBe(0);
  }, TEST_TIMEOUT_MS);
});

describe('helm uninstall', () => {
  let release: Release;
  let before: ObjectRef[] = [];

  beforeAll(async () => {
    release = await newRelease();
    await install(release, release.values());
    before = await releaseObjects(release.name);
    const result = await helm(['uninstall', release.name, '--namespace', release.namespace, '--wait']);
    if (result.code !== 0) throw new Error(`helm uninstall failed: ${result.stderr}`);
  }, 60_000);

  afterAll(() => uninstall(release), 60_000);

  it('removes every object it created, the MutatingWebhookConfiguration and ClusterRoles included', async () => {
    expect(before.map((r) => r.kind)).toEqual(expect.arrayContaining(['MutatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'RoleBinding']));
    expect(await releaseObjects(release.name)).toEqual([]);
    const left = await Promise.all(before.map(async (ref) => ({ ref, left: await fetchObject(ref) })));
    expect(left).toEqual(before.map((ref) => ({ ref, left: undefined })));
  }, TEST_TIMEOUT_MS);

  it('keeps the CRDs, and with them every CredentialSource and EgressPolicy', async () => {
    for (const crd of ['credentialsources.portcullis.dev', 'egresspolicies.portcullis.dev']) {
      expect(await fetchObject({ kind: 'CustomResourceDefinition', name: crd })).toBeDefined();
    }
  }, TEST_TIMEOUT_MS);
});
