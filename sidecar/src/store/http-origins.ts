import type { ResolvedHttpSource } from '@portcullis/shared';
import { azureKeyOf, openAzureWorkloadIdentity } from '../origins/azure-workload-identity/open.js';
import { gcpKeyOf, openGcpWorkloadIdentity } from '../origins/gcp-workload-identity/open.js';
import { githubAppKeyOf, openGithubApp } from '../origins/github-app/open.js';
import { oauth2KeyOf, openOAuth2Http } from '../origins/oauth2/open.js';
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
    case 'gcpWorkloadIdentity':
      return gcpKeyOf(resolved.name, deps);
    case 'githubApp':
      return githubAppKeyOf(resolved, origin, deps);
    case 'oauth2':
      return oauth2KeyOf(resolved.name, origin, deps);
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
    case 'gcpWorkloadIdentity':
      return openGcpWorkloadIdentity(resolved, origin, deps);
    case 'githubApp':
      return openGithubApp(resolved, origin, deps);
    case 'oauth2':
      return openOAuth2Http(resolved, origin, deps);
  }
}
