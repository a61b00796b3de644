import type { ResolvedAwsSource, ResolvedStaticKeys } from '@portcullis/shared';
import type { OriginDeps } from '../origin.js';
import { openSecretKey } from '../secret-file/open.js';
import { StaticKeyCredentials } from './static-key-credentials.js';

/** The static-keys origin of an aws source: the keys of `spec.aws.staticKeys.secretRef`, one file each. */
export async function openStaticKeys(resolved: ResolvedAwsSource, spec: ResolvedStaticKeys, deps: OriginDeps): Promise<StaticKeyCredentials> {
  const open = (key: string): ReturnType<typeof openSecretKey> =>
    openSecretKey(
      { source: resolved.name, key, secretRefField: 'spec.aws.staticKeys.secretRef', charset: 'header', loaded: 'AWS key loaded', unavailable: 'AWS key file unavailable' },
      deps,
    );
  const [id, secret, token] = await Promise.all([
    open(spec.accessKeyIdKey),
    open(spec.secretAccessKeyKey),
    spec.sessionTokenKey === undefined ? undefined : open(spec.sessionTokenKey),
  ]);
  return new StaticKeyCredentials(id, secret, token);
}
