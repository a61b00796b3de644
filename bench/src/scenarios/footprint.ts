// Footprint: start-to-ready time and idle RSS of fresh sidecar processes (standalone mode, one bearer
// source), with a bare Node HTTP server as the floor any Node sidecar starts from.
import { join } from 'node:path';
import { freePort, send, waitForHttp } from '../lib/http.ts';
import { sleep, spawnPinned } from '../lib/procs.ts';
import { summarize } from '../lib/stats.ts';
import type { Profile } from '../profile.ts';
import { startSidecar } from '../targets/sidecar.ts';
import { AWS_REAL, BEARER_KEY, PLACEHOLDER, PROXY_CORE, type World } from '../targets/world.ts';

export interface FootprintResult {
  readonly starts: number;
  /** spawn → "started" log line, → /readyz 200, → first proxied 200 (ms). */
  readonly startedMs: ReturnType<typeof summarize>;
  readonly readyMs: ReturnType<typeof summarize>;
  readonly firstRequestMs: ReturnType<typeof summarize>;
  /** RSS one second after ready, no traffic yet (MiB). */
  readonly idleRssMiB: ReturnType<typeof summarize>;
  /** The long-running bearer sidecar, idle for 2 s after all the load runs (MiB). */
  readonly afterLoadIdleRssMiB: number;
  readonly floor: { readonly listeningMs: ReturnType<typeof summarize>; readonly idleRssMiB: ReturnType<typeof summarize> };
}

const BARE = "require('node:http').createServer((q,s)=>s.end()).listen(0,'127.0.0.1',()=>console.log('listening'))";

export async function footprintScenario(world: World, profile: Profile, dir: string, log: (line: string) => void): Promise<FootprintResult> {
  const started: number[] = [];
  const ready: number[] = [];
  const first: number[] = [];
  const rss: number[] = [];
  const floorMs: number[] = [];
  const floorRss: number[] = [];
  for (let i = 0; i < profile.startups; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const sc = await startSidecar(join(dir, `footprint-${i}`), { kind: 'bearer', port, upstreamPort: world.upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/bytes/1`, 5000, sc.proc, (r) => r.status === 200);
      first.push(performance.now() - t0);
      started.push(sc.startedMs);
      ready.push(sc.readyMs);
      await sleep(1000);
      rss.push(sc.proc.memory().rssKiB / 1024);
      log(`footprint start ${i + 1}/${profile.startups}: ready ${sc.readyMs.toFixed(0)} ms, first request ${first.at(-1)?.toFixed(0)} ms, idle RSS ${rss.at(-1)?.toFixed(1)} MiB`);
    } finally {
      await sc.proc.stop();
    }
    const b0 = performance.now();
    const bare = spawnPinned('bare-node', process.execPath, ['-e', BARE], { core: PROXY_CORE });
    try {
      await bare.waitForLine((l) => l === 'listening', 10_000);
      floorMs.push(performance.now() - b0);
      await sleep(1000);
      floorRss.push(bare.memory().rssKiB / 1024);
    } finally {
      await bare.stop();
    }
  }
  await send({ method: 'GET', url: `http://127.0.0.1:${world.bearerSidecar.port}/bytes/1`, headers: { authorization: `Bearer ${PLACEHOLDER}` } });
  await sleep(2000);
  return {
    starts: profile.startups,
    startedMs: summarize(started),
    readyMs: summarize(ready),
    firstRequestMs: summarize(first),
    idleRssMiB: summarize(rss),
    afterLoadIdleRssMiB: world.bearerSidecar.proc.memory().rssKiB / 1024,
    floor: { listeningMs: summarize(floorMs), idleRssMiB: summarize(floorRss) },
  };
}
