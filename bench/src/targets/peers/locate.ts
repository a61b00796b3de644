// Where the peer binaries are (../shared/peers beside the repo, or BENCH_PEERS_DIR, read by main.ts) and
// which versions they are, read from that folder's README table. They are never copied into the repo; a
// run without the folder measures no peer and says so in the results and BENCHMARKS.md.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PEER_BINARIES = ['aws-sigv4-proxy', 'iron-proxy'] as const;
export type PeerBinary = (typeof PEER_BINARIES)[number];

export interface PeersInfo {
  readonly dir: string;
  readonly available: boolean;
  /** Why no peer was measured (the folder or a binary is missing). */
  readonly reason?: string;
  /** Per binary: version and source from the README, and the first 12 hex of the binary's sha256. */
  readonly versions: Partial<Record<PeerBinary, string>>;
}

/** `| \`name\` | source | version | what |` rows of the peers README. */
export function readmeVersions(readme: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name && cells.length >= 5) out[name] = `${cells[3] ?? ''} (${cells[2] ?? ''})`;
  }
  return out;
}

const sha12 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

export function locatePeers(dir: string): PeersInfo {
  if (!existsSync(dir)) return { dir, available: false, reason: `${dir} does not exist: the peer rows are skipped`, versions: {} };
  const missing = PEER_BINARIES.filter((b) => !existsSync(join(dir, b)));
  if (missing.length) return { dir, available: false, reason: `${missing.join(', ')} missing from ${dir}: the peer rows are skipped`, versions: {} };
  const readme = existsSync(join(dir, 'README.md')) ? readmeVersions(readFileSync(join(dir, 'README.md'), 'utf8')) : {};
  const versions: Partial<Record<PeerBinary, string>> = {};
  for (const b of PEER_BINARIES) versions[b] = `${readme[b] ?? 'version unknown'}, sha256 ${sha12(join(dir, b))}`;
  return { dir, available: true, versions };
}
