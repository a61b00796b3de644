import { join } from 'node:path';
import { decodeJwt } from 'jose/jwt/decode'; // the subpath: the full entry loads all of jose at start (ADR 38)
import { PortcullisError, VOLUME_NAMES } from '@portcullis/shared';
import { credentialFromFile } from './credential-value.js';
import type { OriginDeps } from './origin.js';

/**
 * The pod's projected service-account token of one source's own audience, for origins that exchange it
 * at a token endpoint (Entra, Google STS, an OAuth2 server). The webhook mounts it at
 * `<originTokensDir>/<source>` (contract/pod.ts). Like the STS and Vault tokens, it is read again on
 * every `read()`: the kubelet rotates the file (at 80 % of its lifetime) by swapping the volume's `..data`
 * symlink, so a fresh read always sees the current token and nothing here caches it.
 */
export interface OriginTokenFile {
  /** Where the token is (SDKs that read the file themselves get this path). */
  readonly path: string;
  /** The current token; rejects with ORIGIN_TOKEN_UNAVAILABLE naming the file, never the token. */
  read(): Promise<string>;
}

/** Seconds of tolerance before a token whose `exp` has passed is refused as stale. */
const EXPIRY_SKEW_SECONDS = 5;

export function originTokenFile(source: string, deps: Pick<OriginDeps, 'originTokensDir' | 'files' | 'clock'>): OriginTokenFile {
  const path = join(deps.originTokensDir, source);
  const hint = `check that the pod was injected with the ${VOLUME_NAMES.originTokens} projected volume (recreate the pod after adding source "${source}")`;
  return {
    path,
    async read(): Promise<string> {
      let token: string;
      try {
        token = credentialFromFile(await deps.files.readText(path)).trim();
      } catch (err) {
        throw new PortcullisError('ORIGIN_TOKEN_UNAVAILABLE', `the service account token ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); ${hint}`, { cause: err });
      }
      if (token === '') throw new PortcullisError('ORIGIN_TOKEN_UNAVAILABLE', `the service account token ${path} is empty; ${hint}`);
      let exp: number | undefined;
      try {
        exp = decodeJwt(token).exp;
      } catch (err) {
        throw new PortcullisError('ORIGIN_TOKEN_UNAVAILABLE', `the service account token ${path} is not a JWT; ${hint}`, { cause: err });
      }
      const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
      if (exp !== undefined && exp + EXPIRY_SKEW_SECONDS < nowSeconds) {
        throw new PortcullisError('ORIGIN_TOKEN_UNAVAILABLE', `the service account token ${path} expired at ${new Date(exp * 1000).toISOString()} and the kubelet has not rotated it; check the node's kubelet and the pod's service account`);
      }
      return token;
    },
  };
}
