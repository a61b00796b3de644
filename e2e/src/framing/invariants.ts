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

/** Positions of `needle` in `haystack`. */
function positions(haystack: Buffer, needle: string): number[] {
  const n = Buffer.from(needle, 'latin1');
  const out: number[] = [];
  for (let at = haystack.indexOf(n); at >= 0; at = haystack.indexOf(n, at + n.length)) out.push(at);
  return out;
}

/**
 * h11's error when the connection closed in the middle of a request: the sidecar started forwarding a
 * request and then abandoned it (the app's connection failed mid-way), closing the upstream connection.
 * The upstream never completes such a request, so it is not a framing failure.
 */
const ABANDONED = /peer closed connection without sending complete message body/;

/** The request targets whose request lines appear in raw bytes (every head the sidecar started). */
function startedTargets(raw: Buffer): string[] {
  return [...raw.toString('latin1').matchAll(/(?:^|\r\n)[A-Z]+ (\S+) HTTP\/1\.1\r\nhost: /g)].map((m) => m[1] ?? '');
}

/**
 * Violations of the framing invariants, as readable sentences (empty when all hold):
 * - the strict upstream parsed every byte it got (no protocol error);
 * - the only incomplete request is one the sidecar abandoned by closing the connection (the app's
 *   connection failed mid-way), and even its head names an allowed path;
 * - every request it parsed carries the injected credential in its Authorization header, and the
 *   credential appears nowhere else in what it received (never in a body);
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
    if (c.error && !ABANDONED.test(c.error)) {
      problems.push(`upstream connection ${c.id} failed to parse what the sidecar sent: ${c.error} (raw: ${JSON.stringify(c.raw.toString('latin1').slice(0, 400))})`);
    }
    // Even a head the sidecar started and abandoned must be one the policy allows.
    for (const target of startedTargets(c.raw)) {
      if (target.startsWith(opts.deniedPrefix)) problems.push(`the sidecar started a denied request upstream: ${target}`);
    }
    // The credential only ever stands in the Authorization header of a head the sidecar wrote.
    const header = Buffer.from('\r\nauthorization: Bearer ', 'latin1');
    for (const at of positions(c.raw, opts.credential)) {
      const before = c.raw.subarray(Math.max(0, at - header.length), at);
      if (!before.equals(header)) problems.push(`the credential appeared outside an Authorization header at byte ${at} of upstream connection ${c.id}`);
    }
  }
  for (const r of requests) {
    if (headerOf(r, 'authorization') !== `Bearer ${opts.credential}`) problems.push(`${r.method} ${r.target} arrived without the injected credential in Authorization`);
    if (r.target.startsWith(opts.deniedPrefix)) problems.push(`a denied request arrived upstream: ${r.method} ${r.target}`);
  }
  const forwarded = opts.audit.filter((a) => a.kind === 'audit' && a.upstreamMs !== null).length;
  if (forwarded !== requests.length) problems.push(`the upstream parsed ${requests.length} requests but the sidecar audited ${forwarded} as forwarded`);
  return problems;
}
