// The webhook mounts exactly where the sidecar reads by default. The sidecar is another workspace the
// webhook does not depend on, so its defaults are read from its source text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { FILE_NAMES, IDENTITY_AUDIENCE, MOUNT_PATHS, SIDECAR_ADMIN_PORT } from './contract.js';

const sidecarFile = (path: string): string => readFileSync(new URL(`../../../sidecar/src/${path}`, import.meta.url), 'utf8');

function constant(source: string, name: string): string {
  const m = new RegExp(`export const ${name} = '?([^';]+)'?;`).exec(source);
  if (!m?.[1]) throw new Error(`sidecar no longer exports ${name}`);
  return m[1];
}

describe('the sidecar contract', () => {
  const options = sidecarFile('config/options.ts');
  it.each([
    ['DEFAULT_IDENTITY_TOKEN_FILE', `${MOUNT_PATHS.identity}/${FILE_NAMES.token}`],
    ['DEFAULT_API_TOKEN_FILE', `${MOUNT_PATHS.api}/${FILE_NAMES.token}`],
    ['DEFAULT_STS_TOKEN_FILE', `${MOUNT_PATHS.sts}/${FILE_NAMES.token}`],
    ['DEFAULT_API_CA_FILE', `${MOUNT_PATHS.api}/${FILE_NAMES.ca}`],
    ['DEFAULT_SECRETS_DIR', MOUNT_PATHS.sources],
    ['DEFAULT_LABELS_FILE', `${MOUNT_PATHS.podinfo}/${FILE_NAMES.labels}`],
    ['DEFAULT_ADMIN_PORT', String(SIDECAR_ADMIN_PORT)],
  ])('mounts where the sidecar reads %s', (name, value) => {
    expect(constant(options, name)).toBe(value);
  });

  it('requests identity tokens for the audience the sidecar reviews', () => {
    expect(constant(sidecarFile('identity/identity.ts'), 'IDENTITY_AUDIENCE')).toBe(IDENTITY_AUDIENCE);
  });
});
