import type { ResolvedVaultConnection } from '@portcullis/shared';
import type { OriginDeps } from '../origin.js';

/** What a Vault origin depends on besides its spec: equal keys keep the origin (and its token) across edits. */
export function vaultKeyOf(spec: ResolvedVaultConnection, deps: OriginDeps): string {
  const w = deps.workload;
  return JSON.stringify({ address: spec.address.href, jwt: deps.vaultJwtFile, tokenFile: deps.vaultTokenFile, workload: w ? `${w.namespace}/${w.serviceAccount}/${w.podName}` : undefined });
}
