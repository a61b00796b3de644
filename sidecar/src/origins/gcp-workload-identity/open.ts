import type { ResolvedGcpWorkloadIdentity, ResolvedHttpSource } from '@portcullis/shared';
import { injectionCharset } from '../../inject/http-injection.js';
import { MintedTokenOrigin } from '../minted-token.js';
import type { Origin, OriginDeps } from '../origin.js';
import { originTokenFile } from '../origin-token.js';
import { googleError } from './google-error.js';
import { googleTokenClient } from './google-token.js';

/**
 * Google access tokens live an hour (STS and generateAccessToken alike); refreshing 5 minutes before the
 * end leaves room for gaxios' retries while the old token still works.
 */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The GCP workload identity federation origin of an http source: the pod's projected token (the source's
 * own audience, mounted at <originTokensDir>/<source>) exchanged at Google's STS for a federated token,
 * and for a service account's token when serviceAccountEmail is set.
 */
export function openGcpWorkloadIdentity(resolved: ResolvedHttpSource, spec: ResolvedGcpWorkloadIdentity, deps: OriginDeps): Origin<string> {
  const tokenFile = originTokenFile(resolved.name, deps);
  const client = googleTokenClient(spec, tokenFile.path);
  const where = { source: resolved.name, audience: spec.audience, serviceAccountEmail: spec.serviceAccountEmail, impersonationUrl: spec.impersonationUrl?.href };
  return new MintedTokenOrigin({
    source: resolved.name,
    origin: 'gcpWorkloadIdentity',
    principal: { gcpProvider: spec.audience, ...(spec.serviceAccountEmail ? { gcpServiceAccount: spec.serviceAccountEmail } : {}) },
    unavailableCode: 'GCP_TOKEN_UNAVAILABLE',
    charset: injectionCharset(resolved.injection),
    refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
    deps,
    release: () => client.close(),
    mint: async () => {
      // The library reads the file itself; reading it first turns a missing, empty or expired token into
      // ORIGIN_TOKEN_UNAVAILABLE naming the file, before Google is asked.
      await tokenFile.read();
      try {
        return await client.mint();
      } catch (err) {
        throw googleError(err, where);
      }
    },
  });
}
