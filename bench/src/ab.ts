// Before/after for a change to the sidecar's hot path: two builds of the sidecar side by side (A: a copy
// of an older sidecar/dist, B: the current one), the same upstream, wrk alternating between them round
// by round, ratios paired per round. The machine's noise hits both alike.
//
//   cp sidecar/bin/portcullis-sidecar .cache/bench/before/    (before the change; then make build)
//   taskset -c 1 node bench/src/ab.ts .cache/bench/before/portcullis-sidecar sidecar/bin/portcullis-sidecar [--rounds 6] [--seconds 5] [--kind bearer|sigv4] [--bytes 1024] [--rate 1000]
// (a `.js` main runs on this Node instead: the previous runtime). Besides requests/s it reports the CPU
// time per request under wrk — the steadiest figure on a loaded machine — and at the fixed rate.
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, waitForHttp, type HttpSpec } from './lib/http.ts';
import { cpuSecondsOf, spawnPinned } from './lib/procs.ts';
import { median } from './lib/stats.ts';
import { maxThroughput } from './load/wrk.ts';
import { fixedRate } from './load/vegeta.ts';
import { signDynamo } from './sigv4/sign.ts';
import { startSidecar, type RunningSidecar } from './targets/sidecar.ts';
import { AWS_PLACEHOLDER, AWS_REAL, BEARER_KEY, LOAD_CORE, PLACEHOLDER, PROXY_CORE } from './targets/world.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

type Pair = [number[], number[]];

function report(rps: Pair, p50: Pair, cpu: Pair, busyCpu: Pair, rate: string): void {
  const ratios = rps[1].map((b, i) => b / (rps[0][i] ?? NaN));
  const cpuRatios = cpu[1].map((b, i) => b / (cpu[0][i] ?? NaN));
  const busyRatios = busyCpu[1].map((b, i) => b / (busyCpu[0][i] ?? NaN));
  console.log(`\nthroughput: A median ${median(rps[0]).toFixed(0)} rps, B median ${median(rps[1]).toFixed(0)} rps; B/A paired median ${median(ratios).toFixed(3)} (rounds: ${ratios.map((x) => x.toFixed(2)).join(' ')})`);
  console.log(`CPU per request at full load: A median ${median(busyCpu[0]).toFixed(1)} µs, B median ${median(busyCpu[1]).toFixed(1)} µs; B/A paired median ${median(busyRatios).toFixed(3)} (rounds: ${busyRatios.map((x) => x.toFixed(2)).join(' ')})`);
  console.log(`p50 at ${rate} rps: A median ${median(p50[0]).toFixed(3)} ms, B median ${median(p50[1]).toFixed(3)} ms`);
  console.log(`CPU per request at ${rate} rps: A median ${median(cpu[0]).toFixed(0)} µs, B median ${median(cpu[1]).toFixed(0)} µs; B/A paired median ${median(cpuRatios).toFixed(3)} (rounds: ${cpuRatios.map((x) => x.toFixed(2)).join(' ')})`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '6' }, seconds: { type: 'string', default: '5' }, kind: { type: 'string', default: 'bearer' }, rate: { type: 'string', default: '1000' }, bytes: { type: 'string', default: '1024' } } });
  const [mainA, mainB] = positionals;
  if (!mainA || !mainB) throw new Error('usage: ab.ts <main A> <main B>');
  const kind = values.kind === 'sigv4' ? 'sigv4' : 'bearer';
  const dir = mkdtempSync(join(repoRoot, '.cache/bench/ab-'));
  const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: LOAD_CORE });
  const sidecars: RunningSidecar[] = [];
  try {
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    for (const [i, main] of [mainA, mainB].entries()) {
      const port = await freePort();
      sidecars.push(await startSidecar(join(dir, `s${i}`), { kind, port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE, resolve(main)));
      await waitForHttp(`http://127.0.0.1:${port}/`, 10_000, undefined, (r) => r.status > 0);
    }
    const spec = async (port: number): Promise<HttpSpec> =>
      kind === 'bearer'
        ? { method: 'GET', url: `http://127.0.0.1:${port}/bytes/${values.bytes}`, headers: { authorization: `Bearer ${PLACEHOLDER}` } }
        : signDynamo(AWS_PLACEHOLDER, port, 'GetItem', new Date()).then(({ headers, body }) => ({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers, body }));
    for (const s of sidecars) await maxThroughput(await spec(s.port), 32, 2, LOAD_CORE);
    const rps: number[][] = [[], []];
    const p50: number[][] = [[], []];
    // CPU time per request at the fixed rate: less sensitive to other load on the machine than rps.
    const cpu: number[][] = [[], []];
    // CPU time per request under wrk: what a request costs when the sidecar is never idle; unlike rps it
    // does not depend on how much of its core the rest of the machine leaves it.
    const busyCpu: number[][] = [[], []];
    const round = async (r: number, i: number): Promise<void> => {
      const s = sidecars[i] as RunningSidecar;
      const busy0 = cpuSecondsOf(s.proc.pid);
      const t = await maxThroughput(await spec(s.port), 32, Number(values.seconds), LOAD_CORE);
      busyCpu[i]?.push(((cpuSecondsOf(s.proc.pid) - busy0) * 1e6) / Math.max(1, t.requests));
      const cpu0 = cpuSecondsOf(s.proc.pid);
      const l = await fixedRate(await spec(s.port), Number(values.rate), 3, LOAD_CORE);
      cpu[i]?.push(((cpuSecondsOf(s.proc.pid) - cpu0) * 1e6) / (Number(values.rate) * 3));
      rps[i]?.push(t.rps);
      p50[i]?.push(l.p50);
      console.log(`round ${r + 1} ${i ? 'B' : 'A'}: ${t.rps.toFixed(0)} rps (${t.non2xx} non-2xx), ${busyCpu[i]?.at(-1)?.toFixed(1)} µs CPU per request; at ${values.rate} rps p50 ${l.p50.toFixed(3)} p99 ${l.p99.toFixed(3)} ms, ${cpu[i]?.at(-1)?.toFixed(0)} µs CPU per request`);
    };
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) await round(r, i);
    }
    report(rps as Pair, p50 as Pair, cpu as Pair, busyCpu as Pair, values.rate ?? '');
  } finally {
    for (const s of sidecars) await s.proc.stop();
    await upstream.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
