// The status controller (in the webhook process, on the Lease holder) writes Ready conditions with
// observedGeneration on CredentialSources and EgressPolicies of the real API server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { kubeConfig, kubectl } from '../support/cluster.js';
import { startWorld, until, type World } from './world.js';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
interface Resource {
  metadata: { generation?: number };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

const group = { group: 'portcullis.dev', version: 'v1alpha1' };

describe('the status controller', () => {
  let world: World;
  let ns: string;
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);
  const source = (name: string, port: number, secret: { name: string; key: string }): Promise<unknown> =>
    custom().createNamespacedCustomObject({
      ...group,
      plural: 'credentialsources',
      namespace: ns,
      body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name }, spec: { type: 'http', port, http: { preset: 'openai', secretRef: secret } } },
    });
  const policy = (name: string, sources: string[]): Promise<unknown> =>
    custom().createNamespacedCustomObject({
      ...group,
      plural: 'egresspolicies',
      namespace: ns,
      body: {
        apiVersion: 'portcullis.dev/v1alpha1',
        kind: 'EgressPolicy',
        metadata: { name },
        spec: { workloads: { serviceAccounts: ['agent'] }, rules: sources.map((s) => ({ effect: 'Allow', source: s })) },
      },
    });
  const read = async (plural: string, name: string): Promise<Resource> =>
    (await custom().getNamespacedCustomObject({ ...group, plural, namespace: ns, name })) as Resource;
  const readyOf = (r: Resource): Condition | undefined => r.status?.conditions?.find((c) => c.type === 'Ready');
  /** Waits until the Ready condition describes the current generation and has `reason`. */
  const settled = (plural: string, name: string, reason: string): Promise<Resource> =>
    until(
      () => read(plural, name),
      (r) => readyOf(r)?.reason === reason && r.status?.observedGeneration === r.metadata.generation,
      20_000,
      `${plural}/${name} to report ${reason}`,
    );

  beforeAll(async () => {
    world = await startWorld({ args: ['--check-secrets', 'true', '--status-resync-seconds', '2'] });
    ns = world.namespaces[0] ?? '';
    await kubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'openai' }, stringData: { 'api-key': 'k' } } });
  }, 90_000);

  afterAll(async () => {
    await world?.cleanup();
  }, 120_000);

  it('marks a usable source Ready with its observedGeneration', async () => {
    await source('good', 18080, { name: 'openai', key: 'api-key' });
    const r = await settled('credentialsources', 'good', 'Valid');
    expect(readyOf(r)).toMatchObject({ status: 'True', observedGeneration: r.metadata.generation });
  });

  it('reports PortConflict on both sources sharing a port, and clears it when one goes', async () => {
    await source('one', 18090, { name: 'openai', key: 'api-key' });
    await source('two', 18090, { name: 'openai', key: 'api-key' });
    expect(readyOf(await settled('credentialsources', 'one', 'PortConflict'))).toMatchObject({ status: 'False', message: expect.stringMatching(/also used by CredentialSource two/) as unknown });
    await settled('credentialsources', 'two', 'PortConflict');
    // spec.port is immutable (pods keep the URL they were given): resolve the clash by deleting one.
    expect((await kubectl(['delete', 'credentialsource', 'two'], { namespace: ns })).code).toBe(0);
    await settled('credentialsources', 'one', 'Valid');
  });

  it('reports SecretNotFound and KeyNotFound, and turns Ready once the Secret appears', async () => {
    await source('no-secret', 18100, { name: 'later', key: 'api-key' });
    await source('wrong-key', 18101, { name: 'openai', key: 'token' });
    expect(readyOf(await settled('credentialsources', 'no-secret', 'SecretNotFound'))?.message).toMatch(/Secret later not found/);
    expect(readyOf(await settled('credentialsources', 'wrong-key', 'KeyNotFound'))?.message).toMatch(/has no key token/);
    await kubeConfig().makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'later' }, stringData: { 'api-key': 'k' } } });
    await settled('credentialsources', 'no-secret', 'Valid');
  });

  it('reports a policy naming a missing source, and follows the policy to its next generation', async () => {
    await policy('needs-missing', ['good', 'missing']);
    const r = await settled('egresspolicies', 'needs-missing', 'SourceNotFound');
    expect(readyOf(r)?.message).toMatch(/^CredentialSource missing not found/);
    await kubectl(['patch', 'egresspolicy', 'needs-missing', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/rules/1/source","value":"good"}]'], { namespace: ns });
    const fixed = await settled('egresspolicies', 'needs-missing', 'Valid');
    expect(fixed.metadata.generation).toBe(2);
    expect(readyOf(fixed)).toMatchObject({ status: 'True', observedGeneration: 2 });
  });

  it('shows Ready and, with -o wide, the reason in kubectl get', async () => {
    const r = await kubectl(['get', 'credentialsources', 'wrong-key', '-o', 'wide'], { namespace: ns });
    expect(r.stdout).toMatch(/False\s+KeyNotFound/);
  });
});
