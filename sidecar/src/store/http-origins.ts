import type { ResolvedHttpSource } from '@portcullis/shared';
import { azureKeyOf, openAzureWorkloadIdentity } from '../origins/azure-workload-identity/open.js';
import { githubAppKeyOf, openGithubApp } from '../origins/github-app/open.js';
import type { Origin, OriginDeps } from '../origins/origin.js';
import { openSecretFileOrigin, secretFilePath } from '../origins/secret-file/open.js';
import { openVaultHttp, vaultKeyOf } from '../origins/vault/open.js';

/** What the origin of an http source depends on besides its spec (files, the workload): part of the source's configuration key. */
export function httpOriginKey(resolved: ResolvedHttpSource, deps: OriginDeps): string {
  const origin = resolved.origin;
  switch (origin.kind) {
    case 'secretRef':
      return secretFilePath(deps.secretsDir, resolved.name, origin.secretRef.key);
    case 'vault':
      return vaultKeyOf(origin, deps);
    case 'azureWorkloadIdentity':
      return azureKeyOf(resolved.name, deps);
    case 'githubApp':
      return githubAppKeyOf(resolved, origin, deps);
  }
}

/** Opens the origin the resolved spec names (origins/README.md). */
export async function openHttpOrigin(resolved: ResolvedHttpSource, deps: OriginDeps): Promise<Origin<string>> {
  const origin = resolved.origin;
  switch (origin.kind) {
    case 'secretRef':
      return openSecretFileOrigin(resolved, origin.secretRef, deps);
    case 'vault':
      return openVaultHttp(resolved, origin, deps);
    case 'azureWorkloadIdentity':
      return openAzureWorkloadIdentity(resolved, origin, deps);
    case 'githubApp':
      return openGithubApp(resolved, origin, deps);
  }
}
