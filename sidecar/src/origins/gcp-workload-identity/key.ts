import { workloadOf } from '../minted-token.js';
import type { OriginDeps } from '../origin.js';

/** What a GCP origin depends on besides its spec: equal keys keep the origin (and its token) across edits. */
export function gcpKeyOf(source: string, deps: OriginDeps): string {
  return JSON.stringify({ tokens: deps.originTokensDir, source, workload: workloadOf(deps) });
}
