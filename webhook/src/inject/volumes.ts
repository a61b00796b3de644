import { createHash } from 'node:crypto';
import type { V1KeyToPath, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { CredentialSource } from '@portcullis/shared';
import {
  DEFAULT_STS_AUDIENCE,
  FILE_NAMES,
  IDENTITY_AUDIENCE,
  MOUNT_PATHS,
  ROOT_CA_CONFIG_MAP,
  SERVICE_ACCOUNT_MOUNT_PATH,
  SOURCE_VOLUME_PREFIX,
  VOLUME_NAMES,
} from './contract.js';

export interface SidecarVolumes {
  readonly volumes: readonly V1Volume[];
  /** Mounted into the sidecar container only. */
  readonly mounts: readonly V1VolumeMount[];
  readonly warnings: readonly string[];
}

const READ_ONLY_FILES = 0o444;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A volume name (a DNS label of at most 63 characters) for a source name (a DNS subdomain). */
export function sourceVolumeName(source: string): string {
  const plain = `${SOURCE_VOLUME_PREFIX}${source}`;
  if (plain.length <= 63 && DNS_LABEL.test(plain)) return plain;
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 10);
  const stem = source.replace(/[^a-z0-9-]/g, '-').slice(0, 63 - SOURCE_VOLUME_PREFIX.length - 11).replace(/-+$/, '');
  return `${SOURCE_VOLUME_PREFIX}${stem}-${hash}`;
}

/** The keys of the source's Secret the sidecar needs, or undefined when the source uses no Secret. */
export function secretItems(cs: CredentialSource): { secretName: string; keys: string[] } | undefined {
  if (cs.spec.type === 'http' && cs.spec.http) return { secretName: cs.spec.http.secretRef.name, keys: [cs.spec.http.secretRef.key] };
  const ref = cs.spec.type === 'aws' ? cs.spec.aws?.staticKeys?.secretRef : undefined;
  if (!ref) return undefined;
  const keys = [ref.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID', ref.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY'];
  if (ref.sessionTokenKey !== undefined) keys.push(ref.sessionTokenKey);
  return { secretName: ref.name, keys: [...new Set(keys)] };
}

function tokenVolume(name: string, audience: string | undefined, expirationSeconds: number): V1Volume {
  return {
    name,
    projected: {
      sources: [{ serviceAccountToken: { ...(audience !== undefined ? { audience } : {}), expirationSeconds, path: FILE_NAMES.token } }],
    },
  };
}

function stsAudiences(selected: readonly CredentialSource[]): string[] {
  const audiences: string[] = [];
  for (const cs of selected) {
    const web = cs.spec.type === 'aws' ? cs.spec.aws?.webIdentity : undefined;
    const audience = web ? (web.tokenAudience ?? DEFAULT_STS_AUDIENCE) : undefined;
    if (audience !== undefined && !audiences.includes(audience)) audiences.push(audience);
  }
  return audiences;
}

/**
 * Token, CA, pod-info and Secret volumes for the sidecar. Secret volumes are optional and list only the
 * referenced keys: a missing Secret does not keep the app from starting, and the sidecar reports
 * CREDENTIAL_UNAVAILABLE for that source until the kubelet has the Secret.
 */
export function sidecarVolumes(selected: readonly CredentialSource[], tokenExpirationSeconds: number): SidecarVolumes {
  const warnings: string[] = [];
  const volumes: V1Volume[] = [
    tokenVolume(VOLUME_NAMES.identity, IDENTITY_AUDIENCE, tokenExpirationSeconds),
    {
      name: VOLUME_NAMES.api,
      projected: {
        sources: [
          // No audience: the API server's own, so the token authenticates the sidecar's API calls.
          { serviceAccountToken: { expirationSeconds: tokenExpirationSeconds, path: FILE_NAMES.token } },
          { configMap: { name: ROOT_CA_CONFIG_MAP, items: [{ key: FILE_NAMES.ca, path: FILE_NAMES.ca }] } },
        ],
      },
    },
    {
      name: VOLUME_NAMES.podinfo,
      downwardAPI: { items: [{ path: FILE_NAMES.labels, fieldRef: { fieldPath: 'metadata.labels' } }] },
    },
  ];
  const mounts: V1VolumeMount[] = [
    { name: VOLUME_NAMES.identity, mountPath: MOUNT_PATHS.identity, readOnly: true },
    { name: VOLUME_NAMES.api, mountPath: MOUNT_PATHS.api, readOnly: true },
    // The same API token where the ServiceAccount admission plugin would mount kube-api-access: the
    // plugin (re-run after our patch) then leaves the proxy without a second, redundant token.
    { name: VOLUME_NAMES.api, mountPath: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true },
    { name: VOLUME_NAMES.podinfo, mountPath: MOUNT_PATHS.podinfo, readOnly: true },
  ];
  const audiences = stsAudiences(selected);
  const [audience, ...others] = audiences;
  if (audience !== undefined) {
    volumes.push(tokenVolume(VOLUME_NAMES.sts, audience, tokenExpirationSeconds));
    mounts.push({ name: VOLUME_NAMES.sts, mountPath: MOUNT_PATHS.sts, readOnly: true });
  }
  if (others.length > 0) {
    warnings.push(`the selected aws sources use different STS token audiences (${audiences.join(', ')}); the pod gets a token for ${audience} only: inject them into separate pods or align spec.aws.webIdentity.tokenAudience`);
  }
  for (const cs of selected) {
    const secret = secretItems(cs);
    if (!secret) continue;
    const source = cs.metadata.name ?? '';
    const name = sourceVolumeName(source);
    const items: V1KeyToPath[] = secret.keys.map((key) => ({ key, path: key }));
    volumes.push({ name, secret: { secretName: secret.secretName, items, defaultMode: READ_ONLY_FILES, optional: true } });
    mounts.push({ name, mountPath: `${MOUNT_PATHS.sources}/${source}`, readOnly: true });
  }
  return { volumes, mounts, warnings };
}
