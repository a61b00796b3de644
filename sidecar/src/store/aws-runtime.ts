import { PortcullisError, type AwsCredentials, type ResolvedAwsSource } from '@portcullis/shared';
import { sessionNameOf } from '../origins/aws-web-identity/key.js';
import { openLazily } from '../origins/lazy-open.js';
import type { Origin, OriginDeps } from '../origins/origin.js';
import { vaultKeyOf } from '../origins/vault/key.js';
import type { AwsSource } from '../sources/aws-source.js';

/** The configuration key of an aws source: equal keys keep the runtime (and its cached credentials). */
export function awsSourceKey(resolved: ResolvedAwsSource, deps: OriginDeps): string {
  const sessionName = resolved.credentials.kind === 'webIdentity' ? sessionNameOf(deps) : undefined;
  const vault = resolved.credentials.kind === 'vault' ? vaultKeyOf(resolved.credentials, deps) : undefined;
  return JSON.stringify({ ...resolved, endpoint: resolved.endpoint?.href, stsTokenFile: deps.stsTokenFile, secretsDir: deps.secretsDir, sessionName, vault });
}

/** Opens the origin the spec names (`spec.aws.webIdentity`, `spec.aws.staticKeys` or `spec.aws.vault`), its code loaded now. */
function openAwsOrigin(resolved: ResolvedAwsSource, deps: OriginDeps): Promise<Origin<AwsCredentials>> {
  const spec = resolved.credentials;
  const source = resolved.name;
  if (spec.kind === 'vault') return openLazily(source, 'Vault origin', deps, () => import('../origins/vault/open.js'), (m) => m.openVaultAws(resolved, spec, deps));
  if (spec.kind === 'webIdentity') return openLazily(source, 'AWS web identity origin', deps, () => import('../origins/aws-web-identity/open.js'), (m) => m.openWebIdentity(resolved, spec, deps));
  return openLazily(source, 'AWS static keys origin', deps, () => import('../origins/aws-static-keys/open.js'), (m) => m.openStaticKeys(resolved, spec, deps));
}

/**
 * Builds the runtime of an aws source with its credential origin. The AWS runtime (classification, SigV4
 * re-signing, aws-chunked, the error shapes) is loaded with the first aws source, not at start (ADR 38):
 * a pod with http sources only never runs it. If it cannot be loaded the build fails, logged with this
 * code, and no source is served from it (fail closed).
 */
export async function createAwsRuntime(resolved: ResolvedAwsSource, key: string, deps: OriginDeps): Promise<AwsSource> {
  let AwsSourceClass: typeof AwsSource;
  try {
    ({ AwsSource: AwsSourceClass } = await import('../sources/aws-source.js'));
  } catch (err) {
    throw new PortcullisError(
      'CREDENTIAL_UNAVAILABLE',
      `source ${resolved.name}: the sidecar could not load its AWS code (${(err as Error).message}); the sidecar executable is incomplete or damaged: reinstall the image or binary of this release`,
      { cause: err },
    );
  }
  return new AwsSourceClass(resolved, await openAwsOrigin(resolved, deps), key, deps.clock.now);
}
