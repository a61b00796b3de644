import { PortcullisError, type ResolvedGithubApp, type ResolvedHttpSource } from '@portcullis/shared';
import { injectionCharset } from '../../inject/http-injection.js';
import { credentialFromFile } from '../credential-value.js';
import { MintedTokenOrigin } from '../minted-token.js';
import type { Origin, OriginDeps } from '../origin.js';
import { secretFilePath } from '../secret-file/open.js';
import { appJwt, appPrivateKey } from './app-jwt.js';
import { mintInstallationToken } from './installation-token.js';

/** Installation tokens live one hour; a new one is minted 5 minutes before the current one ends. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The GitHub App origin of an http source: an app JWT signed with the private key from the source's
 * Secret volume (re-read at every mint, so a rotated key is used from the next token on), exchanged at
 * the source's upstream for an installation token narrowed to the spec's repositories and permissions.
 */
export function openGithubApp(resolved: ResolvedHttpSource, spec: ResolvedGithubApp, deps: OriginDeps): Origin<string> {
  const keyFile = secretFilePath(deps.secretsDir, resolved.name, spec.privateKey.key);
  const where = `the GitHub App private key ${keyFile} (Secret ${spec.privateKey.secretName}, key ${spec.privateKey.key})`;
  return new MintedTokenOrigin({
    source: resolved.name,
    origin: 'githubApp',
    principal: { githubAppId: spec.appId, githubInstallationId: String(spec.installationId) },
    unavailableCode: 'GITHUB_APP_TOKEN_UNAVAILABLE',
    charset: injectionCharset(resolved.injection),
    refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
    deps,
    mint: async () => {
      let pem: string;
      try {
        pem = credentialFromFile(await deps.files.readText(keyFile));
      } catch (err) {
        throw new PortcullisError('GITHUB_APP_KEY_INVALID', `${where} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check that the Secret exists and the pod was created after the source`, { cause: err });
      }
      const jwt = await appJwt(spec.appId, appPrivateKey(pem, where), Math.floor(deps.clock.now().getTime() / 1000));
      return mintInstallationToken(spec, { apiUrl: resolved.upstream, caBundle: resolved.caBundle }, jwt, resolved.name);
    },
  });
}
