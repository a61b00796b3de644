import type { ResolvedOAuth2Origin } from '@portcullis/shared';
import { workloadOf } from '../minted-token.js';
import type { OriginDeps } from '../origin.js';
import { originTokenFile } from '../origin-token.js';
import { secretFilePath } from '../secret-file/open.js';

/** What an OAuth2 origin depends on besides its spec: equal keys keep the origin (and its token) across edits. */
export function oauth2KeyOf(source: string, spec: ResolvedOAuth2Origin, deps: OriginDeps): string {
  const auth = spec.clientAuth;
  return JSON.stringify({
    secret: auth.method === 'none' ? undefined : secretFilePath(deps.secretsDir, source, auth.secretKey),
    assertion: spec.originToken === undefined ? undefined : originTokenFile(source, deps).path,
    workload: workloadOf(deps),
  });
}
