import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { isNotFound } from '../kube/api-errors.js';
import { materialFromSecret, secretFromMaterial, type CertMaterial } from './material.js';

export interface StoredMaterial {
  /** undefined when the Secret exists but is incomplete. */
  readonly material: CertMaterial | undefined;
  readonly resourceVersion: string;
}

/** The webhook's TLS Secret: read by every replica, written by the Lease holder only. */
export class TlsSecretStore {
  constructor(
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  async read(): Promise<StoredMaterial | undefined> {
    let secret: V1Secret;
    try {
      secret = await this.core.readNamespacedSecret({ name: this.name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    return { material: materialFromSecret(secret.data, secret.metadata?.annotations), resourceVersion: secret.metadata?.resourceVersion ?? '' };
  }

  /**
   * Creates the Secret, or replaces the version last read (optimistic concurrency: a 409 means another
   * writer got there first, and the caller reads again on its next tick).
   */
  async write(material: CertMaterial, resourceVersion: string | undefined): Promise<void> {
    const content = secretFromMaterial(material);
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        annotations: content.annotations,
        labels: { 'app.kubernetes.io/managed-by': 'portcullis-webhook' },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      type: content.type,
      data: content.data,
    };
    if (resourceVersion) await this.core.replaceNamespacedSecret({ name: this.name, namespace: this.namespace, body });
    else await this.core.createNamespacedSecret({ namespace: this.namespace, body });
  }
}
