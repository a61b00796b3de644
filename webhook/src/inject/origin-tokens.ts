import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { MOUNT_PATHS, VOLUME_NAMES, originTokenOf, type ResolvedSource } from '@portcullis/shared';

/** One source's need for a projected token: the file name (the source) and the token's audience. */
export interface OriginTokenNeed {
  readonly source: string;
  readonly audience: string;
}

/** The sources whose origin presents the pod's token to a token endpoint of its own (originTokenOf), in order. */
export function originTokenNeeds(resolved: readonly ResolvedSource[]): OriginTokenNeed[] {
  const needs: OriginTokenNeed[] = [];
  for (const source of resolved) {
    const token = originTokenOf(source);
    if (token !== undefined) needs.push({ source: source.name, audience: token.audience });
  }
  return needs;
}

/**
 * One projected volume with a service-account token per source that needs one (path = the source name,
 * audience = that source's), mounted into the sidecar only at MOUNT_PATHS.originTokens; nothing when no
 * selected source needs one. Unlike the STS and Vault tokens (one audience per pod), sources with
 * different audiences each get theirs. The kubelet rotates each at 80 % of `expirationSeconds`.
 */
export function originTokensVolume(needs: readonly OriginTokenNeed[], expirationSeconds: number): { readonly volume: V1Volume; readonly mount: V1VolumeMount } | undefined {
  if (needs.length === 0) return undefined;
  return {
    volume: {
      name: VOLUME_NAMES.originTokens,
      projected: {
        sources: needs.map((n) => ({ serviceAccountToken: { audience: n.audience, expirationSeconds, path: n.source } })),
      },
    },
    mount: { name: VOLUME_NAMES.originTokens, mountPath: MOUNT_PATHS.originTokens, readOnly: true },
  };
}
