// Certificates rotate while the API server keeps sending pods: serving certificates every few seconds,
// the CA every ~15 s (new CA published in the caBundle first). No pod creation may fail or go uninjected.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { kubeConfig } from '../support/cluster.js';
import { sample } from './process.js';
import { servedCertificate } from './tls.js';
import { startWorld, type World } from './world.js';

const STREAM_MS = 30_000;
const CONCURRENCY = 3;
/** Keeps the shared control plane's etcd from filling up with thousands of Pending pods. */
const PAUSE_MS = 100;

describe('certificate rotation under load', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      args: [
        '--cert-validity-seconds', '12',
        '--cert-renew-before-seconds', '8',
        '--ca-validity-seconds', '40',
        '--ca-renew-before-seconds', '25',
        '--ca-propagation-seconds', '2',
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await world?.cleanup();
  }, 120_000);

  it('loses no pod creation while serving certificates and the CA rotate', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const admission = kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const ns = world.namespaces[0] ?? '';
    const bundle = async (): Promise<string> => {
      const config = await admission.readMutatingWebhookConfiguration({ name: world.configName });
      return Buffer.from(config.webhooks?.[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
    };
    const firstCert = await servedCertificate(world.webhook.port, await bundle());
    const before = await world.webhook.metrics();

    const failures: string[] = [];
    let created = 0;
    let injected = 0;
    const deadline = Date.now() + STREAM_MS;
    const worker = async (id: number): Promise<void> => {
      for (let i = 0; Date.now() < deadline; i++) {
        try {
          const pod = await core.createNamespacedPod({
            namespace: ns,
            body: {
              metadata: { name: `stream-${id}-${i}`, annotations: { 'portcullis.dev/inject': 'true' } },
              spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
            },
          });
          created++;
          if (pod.spec?.initContainers?.[0]?.name === 'portcullis-proxy') injected++;
        } catch (err) {
          failures.push(String((err as { body?: unknown }).body ?? err).slice(0, 300));
        }
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, id) => worker(id)));

    const after = await world.webhook.metrics();
    const rotations = (reason: string): number =>
      sample(after, 'portcullis_webhook_certificate_rotations_total', { reason }) - sample(before, 'portcullis_webhook_certificate_rotations_total', { reason });
    const lastCert = await servedCertificate(world.webhook.port, await bundle());

    expect(failures).toEqual([]);
    expect(created).toBeGreaterThan(30);
    expect(injected).toBe(created);
    expect(rotations('LeafRenewed') + rotations('LeafReissued')).toBeGreaterThanOrEqual(3);
    expect(rotations('CaRotated')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'portcullis_webhook_tls_reloads_total')).toBeGreaterThanOrEqual(3);
    expect(lastCert.fingerprint).not.toBe(firstCert.fingerprint);
  }, 90_000);
});
