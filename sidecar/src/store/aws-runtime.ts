import type { AwsCredentials, ResolvedAwsSource } from '@portcullis/shared';
import { openStaticKeys } from '../origins/aws-static-keys/open.js';
import { openWebIdentity, sessionNameOf } from '../origins/aws-web-identity/open.js';
import type { Origin, OriginDeps } from '../origins/origin.js';
import { openVaultAws, vaultKeyOf } from '../origins/vault/open.js';
import { AwsSource } from '../sources/aws-source.js';

/** The configuration key of an aws source: equal keys keep the runtime (and its cached credentials). */
export function awsSourceKey(resolved: ResolvedAwsSource, deps: OriginDeps): string {
  const sessionName = resolved.credentials.kind === 'webIdentity' ? sessionNameOf(deps) : undefined;
  const vault = resolved.credentials.kind === 'vault' ? vaultKeyOf(resolved.credentials, deps) : undefined;
  return JSON.stringify({ ...resolved, endpoint: resolved.endpoint?.href, stsTokenFile: deps.stsTokenFile, secretsDir: deps.secretsDir, sessionName, vault });
}

/** Opens the origin the spec names (`spec.aws.webIdentity`, `spec.aws.staticKeys` or `spec.aws.vault`). */
function openAwsOrigin(resolved: ResolvedAwsSource, deps: OriginDeps): Origin<AwsCredentials> | Promise<Origin<AwsCredentials>> {
  const spec = resolved.credentials;
  if (spec.kind === 'vault') return openVaultAws(resolved, spec, deps);
  return spec.kind === 'webIdentity' ? openWebIdentity(resolved, spec, deps) : openStaticKeys(resolved, spec, deps);
}

/** Builds the runtime of an aws source with its credential origin. */
export async function createAwsRuntime(resolved: ResolvedAwsSource, key: string, deps: OriginDeps): Promise<AwsSource> {
  return new AwsSource(resolved, await openAwsOrigin(resolved, deps), key, deps.clock.now);
}
