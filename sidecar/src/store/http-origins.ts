import type { ResolvedHttpSource } from '@portcullis/shared';
import { azureKeyOf } from '../origins/azure-workload-identity/key.js';
import { gcpKeyOf } from '../origins/gcp-workload-identity/key.js';
import { githubAppKeyOf } from '../origins/github-app/key.js';
import { openLazily } from '../origins/lazy-open.js';
import { oauth2KeyOf } from '../origins/oauth2/key.js';
import type { Origin, OriginDeps } from '../origins/origin.js';
import { openSecretFileOrigin, secretFilePath } from '../origins/secret-file/open.js';
import { vaultKeyOf } from '../origins/vault/key.js';

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

/**
 * Opens the origin the resolved spec names (origins/README.md). Only the Secret-file origin is loaded at
 * start; every other origin's code, and its library (oauth4webapi, jose, @azure/identity, google-auth-library), is imported
 * when the first source of its kind is opened (ADR 38; shipped-imports.test.ts keeps it so).
 */
export async function openHttpOrigin(resolved: ResolvedHttpSource, deps: OriginDeps): Promise<Origin<string>> {
  const origin = resolved.origin;
  const source = resolved.name;
  switch (origin.kind) {
    case 'secretRef':
      return openSecretFileOrigin(resolved, origin.secretRef, deps);
    case 'vault':
      return openLazily(source, 'Vault origin', deps, () => import('../origins/vault/open.js'), (m) => m.openVaultHttp(resolved, origin, deps));
    case 'azureWorkloadIdentity':
      return openLazily(source, 'Azure workload identity origin', deps, () => import('../origins/azure-workload-identity/open.js'), (m) => m.openAzureWorkloadIdentity(resolved, origin, deps));
    case 'gcpWorkloadIdentity':
      return openLazily(source, 'GCP workload identity origin', deps, () => import('../origins/gcp-workload-identity/open.js'), (m) => m.openGcpWorkloadIdentity(resolved, origin, deps));
    case 'githubApp':
      return openLazily(source, 'GitHub App origin', deps, () => import('../origins/github-app/open.js'), (m) => m.openGithubApp(resolved, origin, deps));
    case 'oauth2':
      return openLazily(source, 'OAuth2 origin', deps, () => import('../origins/oauth2/open.js'), (m) => m.openOAuth2Http(resolved, origin, deps));
  }
}
