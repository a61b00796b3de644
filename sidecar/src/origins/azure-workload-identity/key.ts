import { workloadOf } from '../minted-token.js';
import type { OriginDeps } from '../origin.js';

/** What an Azure origin depends on besides its spec: equal keys keep the origin (and its token) across edits. */
export function azureKeyOf(source: string, deps: OriginDeps): string {
  return JSON.stringify({ tokens: deps.originTokensDir, source, workload: workloadOf(deps) });
}
