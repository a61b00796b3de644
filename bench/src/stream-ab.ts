// Large uploads through sidecar builds side by side (issue 12, ADR 38): for each round, one PUT of --mib
// MiB direct to the upstream and one through each variant (fresh processes, rounds alternated), as a plain
// bearer PUT and as an aws-chunked S3 PutObject whose every chunk signature the sidecar re-chains (the
// upstream checks them). Prints MiB/s, the ratio to direct paired per round, and each sidecar's RSS growth
// (highest RSS sampled every 20 ms during the upload, minus its RSS just before) and CPU seconds per GiB
// (robust to other load on the machine, unlike MiB/s).
//
//   taskset -c 1 node bench/src/stream-ab.ts [--mib 256] [--rounds 3] [--kind both|bearer|chunked] [--chunk-kib 64] \
//     [name=]executable[@ENV=value,...] ...
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, send } from './lib/http.ts';
import { cpuSecondsOf, sleep, spawnPinned, type Proc } from './lib/procs.ts';
import { median } from './lib/stats.ts';
import { parseVariant, type Variant } from './lib/variants.ts';
import { chunkedPutObject } from './sigv4/chunked.ts';
import { MiB, plainUpload, sampled, upload, type Sampled } from './scenarios/streaming-upload.ts';
import { sidecarArgs, sidecarCommand, SIDECAR_MAIN, writeSidecarFiles } from './targets/sidecar.ts';
import { AWS_PLACEHOLDER, AWS_REAL, BEARER_KEY, LOAD_CORE, PLACEHOLDER, PROXY_CORE } from './targets/world.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
type Kind = 'bearer' | 'chunked';

async function startVariant(v: Variant, kind: Kind, upstreamPort: number, dir: string): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  writeSidecarFiles(dir, { kind: kind === 'bearer' ? 'bearer' : 'sigv4', port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL });
  const [file, args] = sidecarCommand(resolve(v.main), sidecarArgs(dir, v.main).slice(1));
  const proc = spawnPinned(`sidecar-${v.name}`, file, args, { core: PROXY_CORE, ignoreStdout: true, env: { ...process.env, ...v.env } });
  await proc.waitForLine((l) => l.includes('portcullis sidecar started'), 15_000);
  if (kind === 'bearer') {
    // Warm the request path a little, so the RSS before the upload is the steady idle size.
    for (let i = 0; i < 20; i++) await send({ method: 'GET', url: `http://127.0.0.1:${port}/bytes/1024`, headers: { authorization: `Bearer ${PLACEHOLDER}` } });
  }
  await sleep(500);
  return { proc, port };
}

async function put(kind: Kind, port: number, viaSidecar: boolean, mib: number, chunkKiB: number, round: number, pid: number | undefined): Promise<Sampled> {
  const total = mib * MiB;
  if (kind === 'bearer') {
    const auth = viaSidecar ? `Bearer ${PLACEHOLDER}` : `Bearer ${BEARER_KEY}`;
    return sampled(pid, () => upload(plainUpload(`http://127.0.0.1:${port}/sink/object-${round}`, auth, total)), (b) => (JSON.parse(b) as { bytes: number }).bytes === total);
  }
  const body = await chunkedPutObject(viaSidecar ? AWS_PLACEHOLDER : AWS_REAL, port, `object-${round}`, total, chunkKiB * 1024, new Date());
  const s = await sampled(pid, () => upload({ url: `http://127.0.0.1:${port}/bench/object-${round}`, headers: body.headers, contentLength: body.contentLength, chunks: () => body.chunks() }), (b) => (JSON.parse(b) as { bytes: number }).bytes >= total);
  if (s.chunkSignatures !== undefined && s.chunkSignatures.verdict !== 'valid') throw new Error(`chunk signatures: ${s.chunkSignatures.verdict} ${s.chunkSignatures.detail}`);
  return s;
}

interface Settings {
  readonly mib: number;
  readonly chunkKiB: number;
  readonly rounds: number;
}
interface Through {
  readonly mibps: number[];
  readonly ratio: number[];
  readonly growth: number[];
  readonly cpuPerGiB: number[];
}

/** One round of one kind: direct and every variant (fresh processes), in an order rotated by round. */
async function round(kind: Kind, variants: readonly Variant[], set: Settings, r: number, upstreamPort: number, dir: string, through: readonly Through[]): Promise<number> {
  const running: { proc: Proc; port: number }[] = [];
  try {
    for (const [i, v] of variants.entries()) running.push(await startVariant(v, kind, upstreamPort, join(dir, `${kind}-${v.name}-${r}-${i}`)));
    return await measureRound(kind, variants, set, r, upstreamPort, running, through);
  } finally {
    for (const s of running) await s.proc.stop();
  }
}

async function measureRound(kind: Kind, variants: readonly Variant[], set: Settings, r: number, upstreamPort: number, running: readonly { proc: Proc; port: number }[], through: readonly Through[]): Promise<number> {
  const order = [-1, ...variants.map((_, i) => i)];
  if (r % 2 === 1) order.reverse();
  let direct = NaN;
  const speeds = new Map<number, number>();
  for (const i of order) {
    const target = running[i];
    const t = through[i];
    const cpu0 = target === undefined ? 0 : cpuSecondsOf(target.proc.pid);
    const s = await put(kind, target?.port ?? upstreamPort, target !== undefined, set.mib, set.chunkKiB, r, target?.proc.pid);
    const speed = set.mib / s.seconds;
    if (target === undefined || t === undefined) {
      direct = speed;
      console.error(`${kind} round ${r + 1} direct: ${speed.toFixed(0)} MiB/s`);
      continue;
    }
    // The sidecar's own CPU time per GiB: what the body path costs it, whatever else runs on the machine.
    t.cpuPerGiB.push(((cpuSecondsOf(target.proc.pid) - cpu0) * 1024) / set.mib);
    t.growth.push((s.peakKiB - s.idleKiB) / 1024);
    speeds.set(i, speed);
    console.error(`${kind} round ${r + 1} ${variants[i]?.name}: ${speed.toFixed(0)} MiB/s, RSS ${(s.idleKiB / 1024).toFixed(1)} → ${(s.peakKiB / 1024).toFixed(1)} MiB, ${t.cpuPerGiB.at(-1)?.toFixed(2)} CPU-s per GiB`);
  }
  for (const [i, speed] of speeds) {
    through[i]?.mibps.push(speed);
    through[i]?.ratio.push(speed / direct);
  }
  return direct;
}

function report(kind: Kind, variants: readonly Variant[], set: Settings, direct: readonly number[], through: readonly Through[]): void {
  console.log(`\n${kind} PUT of ${set.mib} MiB${kind === 'chunked' ? ` (${set.chunkKiB} KiB chunks)` : ''}, ${set.rounds} rounds: direct median ${median(direct).toFixed(0)} MiB/s`);
  for (const [i, v] of variants.entries()) {
    const t = through[i];
    if (!t) continue;
    console.log(`  ${v.name}: ${median(t.mibps).toFixed(0)} MiB/s, ÷ direct paired median ${median(t.ratio).toFixed(3)} (rounds ${t.ratio.map((x) => x.toFixed(2)).join(' ')}), RSS growth median ${median(t.growth).toFixed(1)} MiB (max ${Math.max(...t.growth).toFixed(1)}), sidecar CPU ${median(t.cpuPerGiB).toFixed(2)} s per GiB`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { mib: { type: 'string', default: '256' }, rounds: { type: 'string', default: '3' }, kind: { type: 'string', default: 'both' }, 'chunk-kib': { type: 'string', default: '64' } } });
  const variants = (positionals.length > 0 ? positionals : [`shipped=${SIDECAR_MAIN}`]).map(parseVariant);
  const kinds: Kind[] = values.kind === 'both' ? ['bearer', 'chunked'] : [values.kind === 'bearer' ? 'bearer' : 'chunked'];
  const set: Settings = { mib: Number(values.mib), chunkKiB: Number(values['chunk-kib']), rounds: Number(values.rounds) };
  mkdirSync(join(repoRoot, '.cache/bench'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, '.cache/bench/stream-'));
  const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: LOAD_CORE });
  try {
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    for (const kind of kinds) {
      const direct: number[] = [];
      const through: Through[] = variants.map(() => ({ mibps: [], ratio: [], growth: [], cpuPerGiB: [] }));
      for (let r = 0; r < set.rounds; r++) direct.push(await round(kind, variants, set, r, upstreamPort, dir, through));
      report(kind, variants, set, direct, through);
    }
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
