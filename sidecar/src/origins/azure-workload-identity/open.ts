import type { ResolvedAzureWorkloadIdentity, ResolvedHttpSource } from '@portcullis/shared';
import { injectionCharset } from '../../inject/http-injection.js';
import { MintedTokenOrigin } from '../minted-token.js';
import type { Origin, OriginDeps } from '../origin.js';
import { originTokenFile } from '../origin-token.js';
import { entraError } from './entra-error.js';
import { entraTokenClient } from './entra-token.js';

/**
 * Entra access tokens live 60-90 minutes. MSAL's own cache treats a token as expired 5 minutes before its
 * end, so refreshing at 5 minutes asks Entra for a new one instead of getting the cached one back.
 */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The Azure workload identity origin of an http source: the pod's projected token (the source's own
 * audience, mounted at <originTokensDir>/<source>) exchanged at Entra for an access token of `scope`.
 */
export function openAzureWorkloadIdentity(resolved: ResolvedHttpSource, spec: ResolvedAzureWorkloadIdentity, deps: OriginDeps): Origin<string> {
  const tokenFile = originTokenFile(resolved.name, deps);
  const client = entraTokenClient(spec, tokenFile.path);
  const where = { source: resolved.name, clientId: spec.clientId, tenantId: spec.tenantId };
  return new MintedTokenOrigin({
    source: resolved.name,
    origin: 'azureWorkloadIdentity',
    principal: { azureClientId: spec.clientId, azureTenantId: spec.tenantId, scope: spec.scope },
    unavailableCode: 'AZURE_TOKEN_UNAVAILABLE',
    charset: injectionCharset(resolved.injection),
    refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
    deps,
    mint: async () => {
      // @azure/identity reads the file itself (and keeps it 5 minutes); reading it first turns a missing,
      // empty or expired token into ORIGIN_TOKEN_UNAVAILABLE naming the file, before Entra is asked.
      await tokenFile.read();
      try {
        return await client.mint();
      } catch (err) {
        throw entraError(err, where);
      }
    },
  });
}
