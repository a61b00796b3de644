// The demo's resources: an OpenAI-style source, an S3 source on MinIO, and one policy for the agent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Upstream } from '@portcullis/sidecar/testing';
import type { Minio } from '../support/aws-peers.js';
import { grantOwnPodRead } from '../support/pod-self-rbac.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';

export const GROUP = { group: 'portcullis.dev', version: 'v1alpha1' };
export const BUCKET = 'reports';

export interface DemoPorts {
  readonly openai: number;
  readonly openaiVault: number;
  readonly s3: number;
  readonly oauth2: number;
}

/** Where the second OpenAI source's key lives in OpenBao (KV v2 at secret/). */
export const VAULT_KV_PATH = 'demo/openai';

function openaiVaultSource(port: number, upstream: Upstream, vaultAddress: string): object {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'CredentialSource',
    metadata: { name: 'openai-vault' },
    spec: {
      type: 'http',
      port,
      // The same API, its key in OpenBao: the sidecar logs in as the pod (Kubernetes auth) and reads it.
      http: {
        preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem,
        vault: { address: vaultAddress, allowPlaintext: true, auth: { kubernetes: { role: 'agent' } }, kv: { path: VAULT_KV_PATH, field: 'api-key' } },
      },
    },
  };
}

function openaiSource(port: number, upstream: Upstream): object {
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

function s3Source(port: number, minio: Minio): object {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'CredentialSource',
    metadata: { name: 's3' },
    spec: {
      type: 'aws',
      port,
      // MinIO plays S3; in a real cluster this would be webIdentity with a role ARN and no endpoint.
      aws: { endpoint: minio.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'minio-keys' } } },
      env: [{ name: 'AWS_REGION', value: minio.region }],
    },
  };
}

export function agentPolicy(chatPaths: string[]): object {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name: 'agent' },
    spec: {
      workloads: { serviceAccounts: ['agent'] },
      rules: [
        { name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths: chatPaths },
        { name: 'chat-vault', effect: 'Allow', source: 'openai-vault', methods: ['POST'], paths: chatPaths },
        { name: 'oauth2-reports', effect: 'Allow', source: 'reports-oauth2', methods: ['GET'], paths: ['/reports/read'] },
        { name: 'read-reports', effect: 'Allow', source: 's3', actions: ['s3:Get*', 's3:ListBucket'], resources: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] },
      ],
    },
  };
}

/** Service accounts, the sidecar's RBAC, the four sources and the policy, in an existing namespace. */
export async function createResources(kc: KubeConfig, namespace: string, ports: DemoPorts, upstream: Upstream, minio: Minio, vaultAddress: string, oauth2Source: object): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'agent' } } });
  await grantSidecarAccess(namespace, 'agent');
  // The kill switch: the sidecar may read its own Pod object and no other (ADR 16).
  await grantOwnPodRead(namespace, 'agent', 'agent-0');
  for (const body of [openaiSource(ports.openai, upstream), openaiVaultSource(ports.openaiVault, upstream, vaultAddress), s3Source(ports.s3, minio), oauth2Source]) {
    await custom.createNamespacedCustomObject({ ...GROUP, namespace, plural: 'credentialsources', body });
  }
  await custom.createNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', body: agentPolicy(['/v1/chat/completions']) });
}

/** Writes a file the way a projected or Secret volume would present it to the sidecar. */
export function writeVolumeFile(root: string, relative: string, content: string): string {
  const path = join(root, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
