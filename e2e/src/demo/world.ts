// The demo's namespace, service account, RBAC, resources and the pod whose sidecar runs locally.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Upstream } from '@portcullis/sidecar';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';

export const GROUP = { group: 'portcullis.dev', version: 'v1alpha1' };

export interface DemoWorld {
  readonly namespace: string;
  readonly podName: string;
  readonly port: number;
}

export function openaiSource(port: number, upstream: Upstream): object {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'CredentialSource',
    metadata: { name: 'openai' },
    spec: {
      type: 'http',
      port,
      // The preset gives injection and env; the upstream is a local stand-in for api.openai.com.
      http: { preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'openai-api-key', key: 'api-key' } },
    },
  };
}

export function chatOnlyPolicy(paths: string[]): object {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name: 'agent-chat-only' },
    spec: {
      workloads: { serviceAccounts: ['agent'] },
      rules: [{ name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths }],
    },
  };
}

export async function createWorld(kc: KubeConfig, namespace: string, port: number, upstream: Upstream): Promise<DemoWorld> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'portcullis.dev/demo': 'true' } } } });
  for (const name of ['default', 'agent']) await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await grantSidecarAccess(namespace, 'agent');
  await custom.createNamespacedCustomObject({ ...GROUP, namespace, plural: 'credentialsources', body: openaiSource(port, upstream) });
  await custom.createNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', body: chatOnlyPolicy(['/v1/chat/completions']) });
  return { namespace, podName: 'agent-0', port };
}

/** Writes a file the way a projected or Secret volume would present it to the sidecar. */
export function writeVolumeFile(root: string, relative: string, content: string): string {
  const path = join(root, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
