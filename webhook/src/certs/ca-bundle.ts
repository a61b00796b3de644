import type { AdmissionregistrationV1Api, V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { isNotFound } from '../kube/api-errors.js';

export type PublishResult = 'published' | 'unchanged' | 'missing';

/** Keeps clientConfig.caBundle of every webhook in one MutatingWebhookConfiguration equal to the CA bundle. */
export class CaBundlePublisher {
  constructor(
    private readonly api: AdmissionregistrationV1Api,
    private readonly configName: string,
  ) {}

  /** Writes the bundle where it differs; 'missing' when the configuration does not exist (yet). */
  async publish(bundlePem: string): Promise<PublishResult> {
    let config: V1MutatingWebhookConfiguration;
    try {
      config = await this.api.readMutatingWebhookConfiguration({ name: this.configName });
    } catch (err) {
      if (isNotFound(err)) return 'missing';
      throw err;
    }
    const caBundle = Buffer.from(bundlePem, 'utf8').toString('base64');
    const webhooks = config.webhooks ?? [];
    if (webhooks.length === 0) return 'missing';
    if (webhooks.every((w) => w.clientConfig.caBundle === caBundle)) return 'unchanged';
    const body: V1MutatingWebhookConfiguration = {
      ...config,
      webhooks: webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } })),
    };
    await this.api.replaceMutatingWebhookConfiguration({ name: this.configName, body });
    return 'published';
  }
}
