// Two replicas share one Secret and one Lease: one writes certificates, both serve them; when the
// leader goes away the other takes over and keeps rotating, and pods keep being injected.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { kubeConfig } from '../support/cluster.js';
import { sample, type WebhookProcess } from './process.js';
import { servedCertificate } from './tls.js';
import { startWorld, until, type World } from './world.js';

const ROTATION = ['--cert-validity-seconds', '12', '--cert-renew-before-seconds', '8', '--ca-propagation-seconds', '2'];

describe('several webhook replicas', () => {
  let world: World;
  let b: WebhookProcess;

  const bundle = async (): Promise<string> => {
    const config = await kubeConfig().makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: world.configName });
    return Buffer.from(config.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  };
  const leader = async (p: WebhookProcess): Promise<number> => sample(await p.metrics(), 'portcullis_webhook_leader');
  const injected = async (name: string): Promise<boolean> => {
    const pod = await kubeConfig().makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: world.namespaces[0] ?? '',
      body: { metadata: { name, annotations: { 'portcullis.dev/inject': 'true' } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
    });
    return pod.spec?.initContainers?.[0]?.name === 'portcullis-proxy';
  };

  beforeAll(async () => {
    world = await startWorld({ args: ROTATION });
    b = await world.startReplica('replica-b');
  }, 90_000);

  afterAll(async () => {
    await world?.cleanup();
  }, 120_000);

  it('elects one leader and serves the same certificate from every replica', async () => {
    expect(await leader(world.webhook)).toBe(1);
    expect(await leader(b)).toBe(0);
    const ca = await bundle();
    await until(
      async () => [await servedCertificate(world.webhook.port, ca), await servedCertificate(b.port, ca)],
      ([x, y]) => x?.fingerprint === y?.fingerprint,
      15_000,
      'both replicas to serve the same certificate',
    );
  });

  it('hands over to the other replica when the leader stops, which then rotates and admits', async () => {
    await world.retarget(b.port);
    await world.webhook.stop();
    await until(() => leader(b), (v) => v === 1, 15_000, 'replica b to take the Lease');
    const before = await b.metrics();
    await until(
      async () => sample(await b.metrics(), 'portcullis_webhook_certificate_rotations_total') - sample(before, 'portcullis_webhook_certificate_rotations_total'),
      (n) => n >= 1,
      20_000,
      'replica b to rotate the certificate',
    );
    // The API server may still hold the old target for a moment after the retarget.
    await until(() => injected(`after-handover-${Date.now()}`).catch(() => false), (ok) => ok, 15_000, 'a pod injected through replica b');
    expect(await injected('after-handover')).toBe(true);
  }, 60_000);
});
