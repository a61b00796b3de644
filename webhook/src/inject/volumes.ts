import { createHash } from 'node:crypto';
import type { V1KeyToPath, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import {
  FILE_NAMES,
  IDENTITY_AUDIENCE,
  MOUNT_PATHS,
  ROOT_CA_CONFIG_MAP,
  SERVICE_ACCOUNT_MOUNT_PATH,
  SOURCE_VOLUME_PREFIX,
  VOLUME_NAMES,
  resolveSource,
  secretKeysOf,
  stsAudienceOf,
  vaultAudienceOf,
  type CredentialSource,
  type ResolvedSource,
} from '@portcullis/shared';
import type { InjectorRedis } from './config.js';
import { originTokenNeeds, originTokensVolume } from './origin-tokens.js';

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

function tokenVolume(name: string, audience: string | undefined, expirationSeconds: number): V1Volume {
  return {
    name,
    projected: {
      sources: [{ serviceAccountToken: { ...(audience !== undefined ? { audience } : {}), expirationSeconds, path: FILE_NAMES.token } }],
    },
  };
}

function audiencesOf(selected: readonly ResolvedSource[], of: (source: ResolvedSource) => string | undefined): string[] {
  const audiences: string[] = [];
  for (const source of selected) {
    const audience = of(source);
    if (audience !== undefined && !audiences.includes(audience)) audiences.push(audience);
  }
  return audiences;
}

/** The sources the sidecar will serve (resolveSource, as it does), and a warning for each it will not. */
function resolvable(selected: readonly CredentialSource[], warnings: string[]): ResolvedSource[] {
  const resolved: ResolvedSource[] = [];
  for (const cs of selected) {
    const r = resolveSource(cs);
    if (r.ok) resolved.push(r.source);
    else warnings.push(`CredentialSource ${cs.metadata.name ?? ''} is invalid (${r.problems.map((p) => p.message).join('; ')}): the sidecar will not serve it and the pod gets none of its volumes; fix it and recreate the pod`);
  }
  return resolved;
}

/**
 * Token, CA, pod-info and Secret volumes for the sidecar. Secret volumes are optional and list only the
 * referenced keys: a missing Secret does not keep the app from starting, and the sidecar reports
 * CREDENTIAL_UNAVAILABLE for that source until the kubelet has the Secret. A source that does not resolve
 * (resolveSource, as in the sidecar) gets no volumes and a warning.
 */
export function sidecarVolumes(selected: readonly CredentialSource[], tokenExpirationSeconds: number, redis?: InjectorRedis): SidecarVolumes {
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
  const resolved = resolvable(selected, warnings);
  const audiences = audiencesOf(resolved, stsAudienceOf);
  const [audience, ...others] = audiences;
  if (audience !== undefined) {
    volumes.push(tokenVolume(VOLUME_NAMES.sts, audience, tokenExpirationSeconds));
    mounts.push({ name: VOLUME_NAMES.sts, mountPath: MOUNT_PATHS.sts, readOnly: true });
  }
  if (others.length > 0) {
    warnings.push(`the selected aws sources use different STS token audiences (${audiences.join(', ')}); the pod gets a token for ${audience} only: inject them into separate pods or align spec.aws.webIdentity.tokenAudience`);
  }
  // Vault's Kubernetes auth: a token of its own audience, only when a source uses Vault, into the sidecar only.
  const vaultAudiences = audiencesOf(resolved, vaultAudienceOf);
  const [vaultAudience, ...otherVault] = vaultAudiences;
  if (vaultAudience !== undefined) {
    volumes.push(tokenVolume(VOLUME_NAMES.vault, vaultAudience, tokenExpirationSeconds));
    mounts.push({ name: VOLUME_NAMES.vault, mountPath: MOUNT_PATHS.vault, readOnly: true });
  }
  if (otherVault.length > 0) {
    warnings.push(`the selected Vault sources use different token audiences (${vaultAudiences.join(', ')}); the pod gets a token for ${vaultAudience} only: inject them into separate pods or align vault.auth.kubernetes.tokenAudience`);
  }
  // Tokens of their own audience for origins that exchange the pod's identity (Entra, Google STS, …).
  const originTokens = originTokensVolume(originTokenNeeds(resolved), tokenExpirationSeconds);
  if (originTokens) {
    volumes.push(originTokens.volume);
    mounts.push(originTokens.mount);
  }
  for (const r of resolved) {
    const secret = secretKeysOf(r);
    if (!secret) continue;
    const source = r.name;
    const name = sourceVolumeName(source);
    const items: V1KeyToPath[] = secret.keys.map((key) => ({ key, path: key }));
    volumes.push({ name, secret: { secretName: secret.secretName, items, defaultMode: READ_ONLY_FILES, optional: true } });
    mounts.push({ name, mountPath: `${MOUNT_PATHS.sources}/${source}`, readOnly: true });
  }
  const redisVolume = redis?.secretName === undefined ? undefined : redisSecretVolume(redis.secretName, redis);
  if (redisVolume) {
    volumes.push(redisVolume);
    mounts.push({ name: VOLUME_NAMES.redis, mountPath: MOUNT_PATHS.redis, readOnly: true });
  }
  return { volumes, mounts, warnings };
}

/**
 * The Redis password (and CA) Secret, for the sidecar only. Optional like the source Secrets: without it
 * the pod still starts and the sidecar's shared limits fail closed until the kubelet has the Secret.
 */
function redisSecretVolume(secretName: string, redis: InjectorRedis): V1Volume | undefined {
  const items: V1KeyToPath[] = [];
  if (redis.passwordKey !== undefined) items.push({ key: redis.passwordKey, path: FILE_NAMES.password });
  if (redis.caKey !== undefined) items.push({ key: redis.caKey, path: FILE_NAMES.ca });
  if (items.length === 0) return undefined;
  return { name: VOLUME_NAMES.redis, secret: { secretName, items, defaultMode: READ_ONLY_FILES, optional: true } };
}
