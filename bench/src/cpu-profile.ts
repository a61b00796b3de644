// Where does a proxy spend its core? Runs one proxy under `--cpu-prof` with wrk at full load, then
// prints the self time by function and by file/package from the .cpuprofile (kept for DevTools).
// `--runtime bun` (the default, what the image ships: ADR 6) runs the same sidecar/dist on the pinned Bun
// from node_modules — unbundled, so the samples keep their file names, which the compiled executable's
// single bundle would not; `--runtime node` runs it on this Node.
//
//   taskset -c 1 node bench/src/cpu-profile.ts [--runtime bun|node] [--target sidecar-bearer|sidecar-sigv4|node-http] [--seconds 10] [--size 1KiB|16KiB]
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, waitForHttp } from './lib/http.ts';
import { spawnPinned, type Proc } from './lib/procs.ts';
import { maxThroughput } from './load/wrk.ts';
import { signDynamo } from './sigv4/sign.ts';
import { SIDECAR_NODE_MAIN, sidecarArgs, writeSidecarFiles } from './targets/sidecar.ts';
import { AWS_PLACEHOLDER, AWS_REAL, BEARER_KEY, LOAD_CORE, PLACEHOLDER, PROXY_CORE } from './targets/world.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** µs: on Node CLOCK_MONOTONIC (the clock process.hrtime reads in every process), on Bun since the epoch. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const repoRoot = resolve(import.meta.dirname, '../..');

function where(url: string): string {
  if (!url) return '(native/GC)';
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  return url.replace(`file://${repoRoot}/`, '');
}

/** Self time by function and by file, counting only the samples taken in [fromUs, toUs] (start-up excluded). */
export function summarizeProfile(p: CpuProfile, top: number, fromUs: number, toUs: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t >= fromUs && t <= toUs) self.set(id, (self.get(id) ?? 0) + dt);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const f = where(n.callFrame.url);
    const name = `${n.callFrame.functionName || '(anonymous)'}  ${f}:${n.callFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const fmt = (m: Map<string, number>): string[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`);
  return ['self time by file/package:', ...fmt(file), '', 'self time by function:', ...fmt(fn)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runtime: { type: 'string', default: 'bun' }, target: { type: 'string', default: 'sidecar-bearer' }, seconds: { type: 'string', default: '10' }, size: { type: 'string', default: '1KiB' } } });
  const bun = values.runtime !== 'node';
  const runtime = bun ? join(repoRoot, 'node_modules/.bin/bun') : process.execPath;
  const dir = join(repoRoot, '.cache/bench/cpu-profile', `${values.target}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: LOAD_CORE });
  let proxy: Proc | undefined;
  const window = { from: 0, to: Infinity };
  // The clock the profile's timestamps are on (see CpuProfile.startTime).
  const nowUs = (): number => (bun ? Date.now() * 1000 : Number(process.hrtime.bigint() / 1000n));
  try {
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    const port = await freePort();
    const prof = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    if (values.target === 'node-http') {
      proxy = spawnPinned('node-http', runtime, [...prof, 'bench/src/servers/plain-proxy.ts', JSON.stringify({ upstreamPort, bearerKey: BEARER_KEY })], { core: PROXY_CORE });
      const line = await proxy.waitForLine((l) => l.includes('"listening"'), 10_000);
      const p = (JSON.parse(line) as { listening: number }).listening;
      await run(p, 'bearer');
    } else {
      const kind = values.target === 'sidecar-sigv4' ? 'sigv4' : 'bearer';
      writeSidecarFiles(dir, { kind, port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL });
      proxy = spawnPinned(values.target ?? 'sidecar', runtime, [...prof, ...sidecarArgs(dir, SIDECAR_NODE_MAIN)], { core: PROXY_CORE, ignoreStdout: true });
      await proxy.waitForLine((l) => l.includes('portcullis sidecar started'), 15_000);
      await run(port, kind);
    }
    await proxy.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${dir}`);
    console.log(`${join(dir, file)}\n`);
    console.log(summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, 30, window.from, window.to));
  } finally {
    await proxy?.stop();
    await upstream.stop();
  }

  async function run(port: number, kind: 'bearer' | 'sigv4'): Promise<void> {
    const size = values.size === '16KiB' ? '16KiB' : '1KiB';
    const spec = kind === 'bearer'
      ? { method: 'GET', url: `http://127.0.0.1:${port}/bytes/${size === '1KiB' ? 1024 : 16384}`, headers: { authorization: `Bearer ${PLACEHOLDER}` } }
      : await signDynamo(AWS_PLACEHOLDER, port, size === '1KiB' ? 'GetItem' : 'BatchGetItem', new Date()).then(({ headers, body }) => ({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers, body }));
    await waitForHttp(`http://127.0.0.1:${port}/`, 10_000, undefined, (r) => r.status > 0);
    await maxThroughput(spec, 32, 2, LOAD_CORE);
    window.from = nowUs();
    const r = await maxThroughput(spec, 32, Number(values.seconds), LOAD_CORE);
    window.to = nowUs();
    console.log(`${values.target}: ${r.rps.toFixed(0)} rps under the profiler (${r.non2xx} non-2xx)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
