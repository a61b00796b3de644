// Streaming: one large PUT (1 GiB in the full profile) through a fresh sidecar vs direct to the same
// upstream (and through nginx for reference): throughput, and the sidecar's resident memory sampled every
// 20 ms during the upload against its idle RSS just before. With AWS support, the same for an aws-chunked
// S3 PutObject whose every chunk signature the sidecar re-chains, with the upstream's verdict on those
// signatures; and aws-sigv4-proxy on both kinds of PutObject when the peers are there.
import { join } from 'node:path';
import { freePort, send, waitForHttp } from '../lib/http.ts';
import { sleep, spawnPinned } from '../lib/procs.ts';
import { spread, type Spread } from '../lib/stats.ts';
import type { Profile } from '../profile.ts';
import { chunkedPutObject } from '../sigv4/chunked.ts';
import { SIDECAR_NODE_MAIN, startSidecar } from '../targets/sidecar.ts';
import { AWS_PLACEHOLDER, AWS_REAL, BEARER_KEY, PLACEHOLDER, PROXY_CORE, type World } from '../targets/world.ts';
import { AWS_SIGV4_PROXY_LABELS, awsSigv4ProxyRound } from './streaming-aws-sigv4-proxy.ts';
import { MiB, plainUpload, rssNote, sampled, upload, verdictNote, type Add, type Sampled } from './streaming-upload.ts';

export interface StreamingRun {
  readonly mibPerSecond: Spread;
  /** Proxies only (sidecar, node:http pass-through, aws-sigv4-proxy): RSS before the upload, highest sampled RSS during it, and the growth. */
  readonly idleRssMiB?: Spread;
  readonly peakRssMiB?: Spread;
  readonly rssGrowthMiB?: Spread;
  /** aws-chunked runs: the upstream's verdict on the chunk signatures it received (verify-chunks.ts). */
  readonly chunkSignatures?: string;
}

export interface StreamingResult {
  readonly mib: number;
  readonly rounds: number;
  readonly runs: Record<string, StreamingRun & { readonly label: string; readonly available: boolean; readonly reason?: string }>;
  readonly vsDirect: Record<string, Spread>;
}

const LABELS: Record<string, string> = {
  direct: 'direct PUT', nginx: 'nginx PUT', 'node-http': 'node:http pass-through PUT', 'sidecar-bearer': 'sidecar PUT (bearer)',
  'sidecar-bearer-young2': 'sidecar PUT (bearer), --young-generation-mib 2',
  'direct-sigv4-chunked': 'direct aws-chunked PutObject', 'sidecar-sigv4-chunked': 'sidecar aws-chunked PutObject (SigV4 re-chained)',
  ...AWS_SIGV4_PROXY_LABELS,
};

/**
 * Plain PUTs: direct, nginx, and fresh processes of the sidecar (bearer; with V8's defaults and with the
 * young generation capped at 2 MiB) and of the node:http pass-through (warmed with a few calls, so their
 * RSS is the steady idle size): the pass-through shows what Node's own stream buffering costs, the
 * sidecar what it adds, the capped sidecar the memory-for-CPU setting of finding 12.
 */
async function plainRound(world: World, profile: Profile, dir: string, round: number, add: Add, log: (line: string) => void): Promise<void> {
  const total = profile.streamingMiB * MiB;
  const ok = (body: string): boolean => (JSON.parse(body) as { bytes: number }).bytes === total;
  const port = await freePort();
  const sc = await startSidecar(join(dir, `streaming-${round}`), { kind: 'bearer', port, upstreamPort: world.upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE);
  const youngPort = await freePort();
  const young = await startSidecar(
    join(dir, `streaming-young-${round}`),
    { kind: 'bearer', port: youngPort, upstreamPort: world.upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL, extraArgs: ['--young-generation-mib', '2'] },
    PROXY_CORE,
    SIDECAR_NODE_MAIN, // a V8 setting: this row is the Node build with the cap (ignored on Bun, ADR 6)
  );
  const plain = spawnPinned('node-http', process.execPath, ['bench/src/servers/plain-proxy.ts', JSON.stringify({ upstreamPort: world.upstreamPort, bearerKey: BEARER_KEY })], { core: PROXY_CORE });
  try {
    const plainPort = (JSON.parse(await plain.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    const fresh: Record<string, { port: number; pid: number }> = {
      'sidecar-bearer': { port, pid: sc.proc.pid },
      'sidecar-bearer-young2': { port: youngPort, pid: young.proc.pid },
      'node-http': { port: plainPort, pid: plain.pid },
    };
    await waitForHttp(`http://127.0.0.1:${port}/bytes/1`, 5000, sc.proc);
    await waitForHttp(`http://127.0.0.1:${youngPort}/bytes/1`, 5000, young.proc);
    for (const p of [port, youngPort, plainPort]) {
      for (let i = 0; i < 20; i++) await send({ method: 'GET', url: `http://127.0.0.1:${p}/bytes/1024`, headers: { authorization: `Bearer ${PLACEHOLDER}` } });
    }
    await sleep(500);
    const ids = ['direct', 'nginx', 'node-http', 'sidecar-bearer', 'sidecar-bearer-young2'];
    for (const id of round % 2 ? ids.reverse() : ids) {
      const target = fresh[id]?.port ?? world.variant(id as 'direct' | 'nginx').port;
      const auth = id === 'direct' ? `Bearer ${BEARER_KEY}` : `Bearer ${PLACEHOLDER}`;
      const s = await sampled(fresh[id]?.pid, () => upload(plainUpload(`http://127.0.0.1:${target}/sink/object-${round}`, auth, total)), ok);
      add(id, s);
      log(`streaming round ${round + 1} ${id}: ${(profile.streamingMiB / s.seconds).toFixed(0)} MiB/s${fresh[id] ? rssNote(s) : ''}`);
    }
  } finally {
    await sc.proc.stop();
    await young.proc.stop();
    await plain.stop();
  }
}

/** aws-chunked PutObject: direct (real key) vs a fresh SigV4 sidecar (placeholder key, chunk signatures re-chained). */
async function chunkedRound(world: World, profile: Profile, dir: string, round: number, add: Add, log: (line: string) => void): Promise<void> {
  const total = profile.streamingMiB * MiB;
  const ok = (body: string): boolean => (JSON.parse(body) as { bytes: number }).bytes >= total;
  const port = await freePort();
  const sc = await startSidecar(join(dir, `streaming-sigv4-${round}`), { kind: 'sigv4', port, upstreamPort: world.upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE);
  try {
    await sleep(500);
    for (const id of round % 2 ? ['sidecar-sigv4-chunked', 'direct-sigv4-chunked'] : ['direct-sigv4-chunked', 'sidecar-sigv4-chunked']) {
      const viaSidecar = id.startsWith('sidecar');
      const p = viaSidecar ? port : world.upstreamPort;
      const body = await chunkedPutObject(viaSidecar ? AWS_PLACEHOLDER : AWS_REAL, p, `object-${round}`, total, 64 * 1024, new Date());
      const s = await sampled(viaSidecar ? sc.proc.pid : undefined, () => upload({ url: `http://127.0.0.1:${p}/bench/object-${round}`, headers: body.headers, contentLength: body.contentLength, chunks: () => body.chunks() }), ok);
      add(id, s);
      log(`streaming round ${round + 1} ${id}: ${(profile.streamingMiB / s.seconds).toFixed(0)} MiB/s${viaSidecar ? rssNote(s) : ''}${verdictNote(s)}`);
    }
  } finally {
    await sc.proc.stop();
  }
}

/** The upstream's verdicts over the rounds, e.g. "valid (2 rounds; 272 of 16385 chunk signatures checked)". */
export function verdictSummary(list: readonly Sampled[]): string | undefined {
  const verdicts = list.map((s) => s.chunkSignatures).filter((v) => v !== undefined);
  if (verdicts.length === 0) return undefined;
  const kinds = [...new Set(verdicts.map((v) => v.verdict))];
  const first = verdicts[0];
  const detail = kinds.length === 1 && first ? first.detail : verdicts.map((v) => v.verdict).join(' / ');
  return `${kinds.join(' / ')} (${verdicts.length} round${verdicts.length > 1 ? 's' : ''}; ${detail})`;
}

function runOf(id: string, list: readonly Sampled[], mib: number, reason: string | undefined): StreamingResult['runs'][string] {
  const available = list.length > 0;
  const verdict = verdictSummary(list);
  const memory = (id.startsWith('sidecar') || id === 'node-http' || id.startsWith('aws-sigv4-proxy')) && available
    ? {
        idleRssMiB: spread(list.map((s) => s.idleKiB / 1024)),
        peakRssMiB: spread(list.map((s) => s.peakKiB / 1024)),
        rssGrowthMiB: spread(list.map((s) => (s.peakKiB - s.idleKiB) / 1024)),
      }
    : {};
  return {
    label: LABELS[id] ?? id, available, ...(available || !reason ? {} : { reason }), mibPerSecond: spread(list.map((s) => mib / s.seconds)), ...memory,
    ...(verdict ? { chunkSignatures: verdict } : {}),
  };
}

export async function streamingScenario(world: World, profile: Profile, dir: string, log: (line: string) => void): Promise<StreamingResult> {
  const sigv4 = world.variant('sidecar-sigv4');
  const raw: Record<string, Sampled[]> = {};
  const add: Add = (id, s) => void (raw[id] ??= []).push(s);
  let peerReason = world.peers.reason;
  for (let round = 0; round < profile.streamingRounds; round++) {
    await plainRound(world, profile, dir, round, add, log);
    if (sigv4.available) await chunkedRound(world, profile, dir, round, add, log);
    if (world.peers.available) {
      await awsSigv4ProxyRound(world, profile, round, add, log).catch((err: unknown) => {
        peerReason = `failed in round ${round + 1}: ${String(err).slice(0, 400)}`;
        log(`streaming aws-sigv4-proxy ${peerReason}`);
      });
    }
  }
  const runs: StreamingResult['runs'] = {};
  for (const id of Object.keys(LABELS)) runs[id] = runOf(id, raw[id] ?? [], profile.streamingMiB, id.startsWith('aws-sigv4-proxy') ? peerReason : sigv4.reason);
  const ratio = (a: string, b: string): Spread => spread((raw[a] ?? []).map((s, i) => (raw[b]?.[i]?.seconds ?? NaN) / s.seconds));
  return {
    mib: profile.streamingMiB,
    rounds: profile.streamingRounds,
    runs,
    vsDirect: { 'sidecar-bearer': ratio('sidecar-bearer', 'direct'), 'sidecar-bearer-young2': ratio('sidecar-bearer-young2', 'direct'), nginx: ratio('nginx', 'direct'), 'node-http': ratio('node-http', 'direct'), 'sidecar-sigv4-chunked': ratio('sidecar-sigv4-chunked', 'direct-sigv4-chunked'),
      'aws-sigv4-proxy-put': ratio('aws-sigv4-proxy-put', 'direct'), 'aws-sigv4-proxy-chunked': ratio('aws-sigv4-proxy-chunked', 'direct-sigv4-chunked'),
    },
  };
}
