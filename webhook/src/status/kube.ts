import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { CREDENTIAL_SOURCE_PLURAL, EGRESS_POLICY_PLURAL, GROUP, VERSION } from '@portcullis/shared';
import { apiProblem, isNotFound } from '../kube/api-errors.js';
import type { SecretKeys } from './conditions.js';

export type StatusKind = 'CredentialSource' | 'EgressPolicy';

export interface StatusWriter {
  /** Merge-patches the status subresource; an object deleted meanwhile is not an error. */
  write(kind: StatusKind, namespace: string, name: string, status: object): Promise<void>;
}

export interface SecretReader {
  /** The Secret's key names; values are dropped at once and never logged. */
  keys(namespace: string, name: string): Promise<SecretKeys>;
}

export function apiStatusWriter(kc: KubeConfig): StatusWriter {
  const api = kc.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    async write(kind, namespace, name, status) {
      const plural = kind === 'CredentialSource' ? CREDENTIAL_SOURCE_PLURAL : EGRESS_POLICY_PLURAL;
      try {
        await api.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural, name, body: { status } }, merge);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

export function apiSecretReader(kc: KubeConfig): SecretReader {
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async keys(namespace, name) {
      try {
        const secret = await core.readNamespacedSecret({ name, namespace });
        return { found: true, keys: new Set(Object.keys(secret.data ?? {})) };
      } catch (err) {
        if (isNotFound(err)) return { found: false };
        return { error: apiProblem(err) };
      }
    },
  };
}
