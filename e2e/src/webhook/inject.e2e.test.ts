// The real kube-apiserver calls the webhook through a MutatingWebhookConfiguration with the caBundle the
// webhook published; pods are created with kubectl (and from a Job's template) and read back mutated.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, type V1Container, type V1Pod, type V1Volume } from '@kubernetes/client-node';
import { kubeConfig, kubectl } from '../support/cluster.js';
import { sample } from './process.js';
import { startWorld, until, type World } from './world.js';

const SIDECAR = 'portcullis-proxy';
const group = { group: 'portcullis.dev', version: 'v1alpha1', plural: 'credentialsources' };

/** What the job controller would do: a pod from the Job's template, owned by the Job. */
async function createPodFromJob(namespace: string, job: string): Promise<string> {
  const stored = await kubeConfig().makeApiClient(BatchV1Api).readNamespacedJob({ name: job, namespace });
  const template = stored.spec?.template;
  const created = await kubeConfig().makeApiClient(CoreV1Api).createNamespacedPod({
    namespace,
    body: {
      metadata: {
        generateName: `${job}-`,
        labels: template?.metadata?.labels ?? {},
        annotations: template?.metadata?.annotations ?? {},
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job, uid: stored.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: template?.spec ?? { containers: [] },
    },
  });
  return created.metadata?.name ?? '';
}

function podManifest(name: string, annotations: Record<string, string>, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1', env: [{ name: 'OPENAI_API_KEY', value: 'mine' }] }], ...spec },
  });
}

async function getPod(namespace: string, name: string): Promise<V1Pod> {
  const r = await kubectl(['get', 'pod', name, '-o', 'json'], { namespace });
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as V1Pod;
}

const app = (pod: V1Pod): V1Container | undefined => pod.spec?.containers.find((c) => c.name === 'app');
const volume = (pod: V1Pod, name: string): V1Volume | undefined => pod.spec?.volumes?.find((v) => v.name === name);
const tokenAudience = (pod: V1Pod, name: string): string | undefined => volume(pod, name)?.projected?.sources?.[0]?.serviceAccountToken?.audience;
const ourMounts = (c: V1Container | undefined): string[] =>
  (c?.volumeMounts ?? []).map((m) => m.mountPath).filter((p) => p.startsWith('/var/run/secrets/portcullis.dev') || p.startsWith('/etc/portcullis')).sort();

describe('the admission webhook behind a real kube-apiserver', () => {
  let world: World;
  let ns: string;

  beforeAll(async () => {
    world = await startWorld();
    ns = world.namespaces[0] ?? '';
    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    const source = (name: string, port: number, spec: Record<string, unknown>): Promise<unknown> =>
      custom.createNamespacedCustomObject({
        ...group,
        namespace: ns,
        body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name }, spec: { port, ...spec } },
      });
    await source('openai', 18080, { type: 'http', http: { preset: 'openai', secretRef: { name: 'openai', key: 'api-key' } } });
    await source('s3', 19000, { type: 'aws', aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/reader' } }, env: [{ name: 'AWS_REGION', value: 'eu-west-1' }] });
    // The informer sees the sources before the tests create pods.
    const injectedSources = async (): Promise<string> => {
      const r = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { namespace: ns, input: podManifest('warm', { 'portcullis.dev/inject': 'true' }) });
      return (JSON.parse(r.stdout || '{}') as V1Pod).metadata?.annotations?.['portcullis.dev/status'] ?? '';
    };
    await until(injectedSources, (status) => status.includes('"s3"'), 10_000, 'the source cache');
  }, 90_000);

  afterAll(async () => {
    await world?.cleanup();
  }, 120_000);

  describe('an annotated pod created with kubectl', () => {
    let pod: V1Pod;
    beforeAll(async () => {
      const create = await kubectl(['apply', '-f', '-'], { namespace: ns, input: podManifest('chat', { 'portcullis.dev/inject': 'true', 'portcullis.dev/sources': 'openai,s3' }) });
      if (create.code !== 0) throw new Error(create.stderr);
      pod = await getPod(ns, 'chat');
    });

    it('gets the proxy as a hardened native sidecar that starts first and is probed on /readyz', () => {
      expect(world.webhook.nativeSidecar).toBe(true);
      const sidecar = pod.spec?.initContainers?.[0];
      expect(sidecar).toMatchObject({ name: SIDECAR, image: 'registry.example/portcullis-sidecar:e2e', restartPolicy: 'Always' });
      expect(sidecar?.args).toEqual(['--namespace', '$(POD_NAMESPACE)', '--labels-file', '/etc/portcullis/podinfo/labels', '--sources', 'openai,s3']);
      expect(sidecar?.startupProbe?.httpGet).toMatchObject({ path: '/readyz', port: 15190 });
      expect(sidecar?.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    });

    it('mounts the identity, API and STS tokens and the source Secret into the sidecar only', () => {
      // The API server's ServiceAccount plugin adds its kube-api-access mount to the app; the proxy has our API token at that path instead.
      expect(ourMounts(pod.spec?.initContainers?.[0])).toEqual([
        '/etc/portcullis/podinfo',
        '/var/run/secrets/portcullis.dev/api',
        '/var/run/secrets/portcullis.dev/identity',
        '/var/run/secrets/portcullis.dev/sources/openai',
        '/var/run/secrets/portcullis.dev/sts',
      ]);
      expect(ourMounts(app(pod))).toEqual([]);
      expect(tokenAudience(pod, 'portcullis-identity')).toBe('portcullis');
      expect(tokenAudience(pod, 'portcullis-api')).toBeUndefined();
      expect(tokenAudience(pod, 'portcullis-sts')).toBe('sts.amazonaws.com');
      expect(volume(pod, 'portcullis-api')?.projected?.sources?.[1]?.configMap?.name).toBe('kube-root-ca.crt');
      expect(volume(pod, 'portcullis-src-openai')?.secret).toMatchObject({ secretName: 'openai', items: [{ key: 'api-key', path: 'api-key' }] });
    });

    it("gives the app the sources' env vars without overriding its own, and records what was injected", () => {
      const env = Object.fromEntries((app(pod)?.env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ OPENAI_BASE_URL: 'http://127.0.0.1:18080/v1', OPENAI_API_KEY: 'mine', AWS_ENDPOINT_URL: 'http://127.0.0.1:19000', AWS_REGION: 'eu-west-1' });
      expect(JSON.parse(pod.metadata?.annotations?.['portcullis.dev/status'] ?? '{}')).toMatchObject({ mode: 'native', sources: ['openai', 's3'] });
    });
  });

  it('leaves a pod without the annotation untouched', async () => {
    const before = await world.webhook.metrics();
    expect((await kubectl(['apply', '-f', '-'], { namespace: ns, input: podManifest('plain', {}) })).code).toBe(0);
    const pod = await getPod(ns, 'plain');
    expect(pod.spec?.initContainers).toBeUndefined();
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['app']);
    expect(app(pod)?.env).toEqual([{ name: 'OPENAI_API_KEY', value: 'mine' }]);
    expect(Object.keys(pod.metadata?.annotations ?? {}).filter((k) => k.startsWith('portcullis.dev/'))).toEqual([]);
    expect((pod.spec?.volumes ?? []).filter((v) => v.name.startsWith('portcullis-'))).toEqual([]);
    const after = await world.webhook.metrics();
    const skipped = { result: 'skipped', reason: 'NotRequested', dry_run: 'false' };
    expect(sample(after, 'portcullis_webhook_admissions_total', skipped)).toBe(sample(before, 'portcullis_webhook_admissions_total', skipped) + 1);
  });

  it("gives a Job's pod a native sidecar so the Job can complete", async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'nightly' },
      spec: {
        template: {
          metadata: { annotations: { 'portcullis.dev/inject': 'true', 'portcullis.dev/sources': 's3' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'export', image: 'registry.example/export:1' }] },
        },
      },
    };
    expect((await kubectl(['apply', '-f', '-'], { namespace: ns, input: JSON.stringify(job) })).code).toBe(0);
    // There is no job controller: create the pod from the Job's template the way it would.
    const name = await createPodFromJob(ns, 'nightly');
    const pod = await getPod(ns, name);
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.spec?.initContainers?.[0]).toMatchObject({ name: SIDECAR, restartPolicy: 'Always' });
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['export']);
    expect(pod.spec?.containers[0]?.env?.map((e) => e.name)).toEqual(['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']);
  });

  it('gives a dry-run the same mutation as the real create, and records the Event only for the real one', async () => {
    const manifest = podManifest('typo', { 'portcullis.dev/inject': 'true', 'portcullis.dev/sources': 'openai,opneai' });
    const dry = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { namespace: ns, input: manifest });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/Warning: portcullis: \[SOURCE_NOT_FOUND\] no CredentialSource opneai/);
    await new Promise((r) => setTimeout(r, 1000));
    const eventsAfterDryRun = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=typo', '-o', 'json'], { namespace: ns });
    expect((JSON.parse(eventsAfterDryRun.stdout) as { items: unknown[] }).items).toEqual([]);

    const real = await kubectl(['create', '-o', 'json', '-f', '-'], { namespace: ns, input: manifest });
    expect(real.code).toBe(0);
    expect(real.stderr).toMatch(/Warning: portcullis: \[SOURCE_NOT_FOUND\]/);
    // The ServiceAccount plugin names its token volume at random per request; everything else must match.
    const strip = (p: V1Pod): unknown => JSON.parse(JSON.stringify({ annotations: p.metadata?.annotations, spec: p.spec }).replace(/kube-api-access-[a-z0-9]+/g, 'kube-api-access'));
    expect(strip(JSON.parse(real.stdout) as V1Pod)).toEqual(strip(JSON.parse(dry.stdout) as V1Pod));

    const events = await until(
      async () => JSON.parse((await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=typo', '-o', 'json'], { namespace: ns })).stdout) as { items: { reason?: string; message?: string; type?: string }[] },
      (list) => list.items.length > 0,
      10_000,
      'the SourceNotFound Event',
    );
    expect(events.items[0]).toMatchObject({ reason: 'SourceNotFound', type: 'Warning' });
    expect(events.items[0]?.message).toMatch(/opneai: not found in namespace/);
  });

  it('skips a hostNetwork pod that asked for injection and records why on the pod', async () => {
    const r = await kubectl(['apply', '-f', '-'], { namespace: ns, input: podManifest('node-agent', { 'portcullis.dev/inject': 'true' }, { hostNetwork: true }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: portcullis: hostNetwork pods are not injected/);
    const pod = await getPod(ns, 'node-agent');
    expect(pod.metadata?.annotations?.['portcullis.dev/skip-reason']).toBe('HostNetwork');
    expect(pod.spec?.initContainers).toBeUndefined();
  });
});
