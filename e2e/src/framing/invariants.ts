// What must hold after any exchange with the sidecar, whatever the app sent: the properties the corpus
// and the byte-level property test both check against the strict recording upstream.
import type { RecordedConnection, RecordedRequest } from './recording-upstream.js';
import { headerOf } from './recording-upstream.js';

export interface AuditLine {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly upstreamMs: number | null;
  readonly error: string | null;
}

function occurrences(haystack: Buffer, needle: string): number {
  const n = Buffer.from(needle, 'latin1');
  let count = 0;
  for (let at = haystack.indexOf(n); at >= 0; at = haystack.indexOf(n, at + n.length)) count++;
  return count;
}

/**
 * Violations of the framing invariants, as readable sentences (empty when all hold):
 * - the strict upstream parsed every byte it got (no protocol error);
 * - every request it parsed carries the injected credential in its Authorization header, and the
 *   credential appears nowhere else in what it received;
 * - nothing the policy denies arrived;
 * - it parsed exactly as many requests as the sidecar audited as forwarded and answered.
 */
export function framingViolations(opts: {
  readonly connections: readonly RecordedConnection[];
  readonly audit: readonly AuditLine[];
  readonly credential: string;
  readonly deniedPrefix: string;
}): string[] {
  const problems: string[] = [];
  const requests: RecordedRequest[] = opts.connections.flatMap((c) => c.requests);
  for (const c of opts.connections) {
    if (c.error) problems.push(`upstream connection ${c.id} failed to parse what the sidecar sent: ${c.error} (raw: ${JSON.stringify(c.raw.toString('latin1').slice(0, 400))})`);
  }
  for (const r of requests) {
    if (headerOf(r, 'authorization') !== `Bearer ${opts.credential}`) problems.push(`${r.method} ${r.target} arrived without the injected credential in Authorization`);
    if (r.target.startsWith(opts.deniedPrefix)) problems.push(`a denied request arrived upstream: ${r.method} ${r.target}`);
  }
  const seen = opts.connections.reduce((n, c) => n + occurrences(c.raw, opts.credential), 0);
  if (seen !== requests.length) problems.push(`the credential appeared ${seen} times in the bytes the upstream received, for ${requests.length} requests`);
  const forwarded = opts.audit.filter((a) => a.kind === 'audit' && a.upstreamMs !== null).length;
  if (forwarded !== requests.length) problems.push(`the upstream parsed ${requests.length} requests but the sidecar audited ${forwarded} as forwarded`);
  return problems;
}
