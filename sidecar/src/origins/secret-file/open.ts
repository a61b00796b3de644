import { join } from 'node:path';
import type { ResolvedHttpSource, SecretKeyRef } from '@portcullis/shared';
import { injectionCharset } from '../../inject/http-injection.js';
import type { CredentialCharset } from '../credential-value.js';
import type { OriginDeps } from '../origin.js';
import { SecretFile } from './secret-file.js';

/** Where the kubelet mounts key `key` of a source's Secret: <secretsDir>/<source>/<key>. */
export function secretFilePath(secretsDir: string, source: string, key: string): string {
  return join(secretsDir, source, key);
}

export interface SecretKeyFile {
  readonly source: string;
  readonly key: string;
  /** The spec field that names the Secret, for messages. */
  readonly secretRefField: string;
  readonly charset: CredentialCharset;
  /** Log messages when the value loads and when it is unavailable. */
  readonly loaded: string;
  readonly unavailable: string;
}

/** Opens one key of a source's Secret volume, counting and logging its reloads. */
export function openSecretKey(file: SecretKeyFile, deps: OriginDeps): Promise<SecretFile> {
  const path = secretFilePath(deps.secretsDir, file.source, file.key);
  return SecretFile.open({
    source: file.source,
    path,
    secretRefField: file.secretRefField,
    charset: file.charset,
    pollIntervalMs: deps.credentialPollIntervalMs,
    files: deps.files,
    onReload: (result, error) => {
      if (result === 'unchanged') return;
      deps.metrics.credentialReloads.inc({ source: file.source, result });
      if (error) deps.log.warn({ source: file.source, path, code: (error as NodeJS.ErrnoException).code, reason: error.message }, file.unavailable);
      else deps.log.info({ source: file.source, key: file.key }, file.loaded);
    },
  });
}

/** The secret-file origin of an http source: `spec.http.secretRef`'s key, kept current from its volume. */
export function openSecretFileOrigin(resolved: ResolvedHttpSource, secretRef: SecretKeyRef, deps: OriginDeps): Promise<SecretFile> {
  return openSecretKey(
    {
      source: resolved.name,
      key: secretRef.key,
      secretRefField: 'spec.http.secretRef',
      charset: injectionCharset(resolved.injection),
      loaded: 'credential loaded',
      unavailable: 'credential unavailable',
    },
    deps,
  );
}
