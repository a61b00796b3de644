import type { ResolvedGithubApp, ResolvedHttpSource } from '@portcullis/shared';
import { workloadOf } from '../minted-token.js';
import type { OriginDeps } from '../origin.js';
import { secretFilePath } from '../secret-file/open.js';

/** What a GitHub App origin depends on besides its spec: the key file and the workload. */
export function githubAppKeyOf(resolved: ResolvedHttpSource, spec: ResolvedGithubApp, deps: OriginDeps): string {
  return JSON.stringify({ key: secretFilePath(deps.secretsDir, resolved.name, spec.privateKey.key), workload: workloadOf(deps) });
}
