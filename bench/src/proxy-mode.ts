// `make bench-proxy-mode` (never part of `make test`): what HTTPS_PROXY mode adds to a call, measured side
// by side in one run against the same sidecar and upstream. Three paths to the same bearer-checking
// upstream (bench/src/servers/upstream.ts), taken in turn, request by request, so a noisy phase of the
// machine hits all three:
//   direct — the app calls the upstream itself (the floor);
//   port   — the app calls the source's loopback port (port mode);
//   mitm   — the app calls https://api.bench.example through the proxy port: CONNECT, TLS with the pod CA's
//            leaf, then the same pipeline (proxy mode; the host is the source's spec.proxyHosts entry).
// Each path once over one kept-alive connection (the steady state) and once with a new connection per
// call (port: TCP; mitm: TCP + CONNECT + TLS handshake), which is what an app without pooling pays.
// The sidecar is pinned to the proxy core, the client and upstream to the load core.
//
//   node bench/src/proxy-mode.ts [--calls 3000] [--fresh-calls 300] [--json file]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { PassThrough, type Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import { freePort, waitForHttp } from './lib/http.ts';
import { spawnPinned, type Proc } from './lib/procs.ts';
import { round, summarize } from './lib/stats.ts';
import { sidecarArgs, sidecarCommand, SIDECAR_MAIN } from './targets/sidecar.ts';
import { LOAD_CORE, PROXY_CORE } from './targets/world.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const BEARER_KEY = 'bench-proxy-mode-real-key';
const HOST = 'api.bench.example';
const PATH = '/bytes/1024';

type PathName = 'direct' | 'port' | 'mitm';
interface Setup {
  readonly upstreamPort: number;
  readonly sourcePort: number;
  readonly proxyPort: number;
  readonly ca: string;
}

function resources(upstreamPort: number, sourcePort: number): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: api}
spec:
  type: http
  port: ${sourcePort}
  proxyHosts: [${HOST}]
  http:
    upstream: http://127.0.0.1:${upstreamPort}
    allowPlaintextUpstream: true
    injection: {type: Bearer}
    secretRef: {name: api-key, key: key}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules:
    - {name: bytes, effect: Allow, source: api, methods: [GET], paths: ["/bytes/*"]}
`;
}

/** One GET, resolving with its latency in ms; anything but 200 with the full body is an error. */
function timed(send: (done: (status: number, bytes: number) => void, fail: (err: Error) => void) => void): Promise<number> {
  return new Promise((resolveMs, reject) => {
    const t0 = performance.now();
    send(
      (status, bytes) => (status === 200 && bytes === 1024 ? resolveMs(performance.now() - t0) : reject(new Error(`status ${status}, ${bytes} bytes`))),
      reject,
    );
  });
}

function collect(res: IncomingMessage, done: (status: number, bytes: number) => void): void {
  let bytes = 0;
  res.on('data', (c: Buffer) => (bytes += c.length));
  res.on('end', () => done(res.statusCode ?? 0, bytes));
}

/** A CONNECT tunnel through the proxy port to HOST:443, then TLS trusting the pod CA only. */
function tunnel(s: Setup): Promise<TLSSocket> {
  return new Promise((resolveSocket, reject) => {
    const raw: Socket = netConnect({ host: '127.0.0.1', port: s.proxyPort });
    raw.once('error', reject);
    raw.once('connect', () => raw.write(`CONNECT ${HOST}:443 HTTP/1.1\r\nHost: ${HOST}:443\r\n\r\n`));
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      raw.off('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`CONNECT refused: ${head.split('\r\n')[0] ?? ''}`));
      const tls = tlsConnect({ socket: raw, servername: HOST, ca: s.ca, ALPNProtocols: ['http/1.1'] });
      tls.once('secureConnect', () => resolveSocket(tls));
      tls.once('error', reject);
    };
    raw.on('data', onData);
  });
}

/**
 * An agent whose connections are CONNECT tunnels through the proxy port with TLS inside: plain
 * http.request over it is an app calling https://api.bench.example with HTTPS_PROXY set.
 */
class TunnelAgent extends HttpAgent {
  private readonly setup: Setup;

  constructor(setup: Setup, keepAlive: boolean) {
    super({ keepAlive, maxSockets: 1 });
    this.setup = setup;
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    tunnel(this.setup).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, new PassThrough()),
    );
    return undefined;
  }
}

interface Clients {
  call(path: PathName): Promise<number>;
  close(): void;
}

/** `keepAlive`: one connection per path reused for every call; otherwise a new one per call (TCP; mitm: TCP + CONNECT + TLS). */
function clients(s: Setup, keepAlive: boolean): Clients {
  const plain = new HttpAgent({ keepAlive, maxSockets: 1 });
  const mitm = new TunnelAgent(s, keepAlive);
  return {
    call: (path) =>
      timed((done, fail) => {
        const direct = path === 'direct';
        const req = httpRequest(
          path === 'mitm'
            ? { host: HOST, path: PATH, agent: mitm, headers: { authorization: 'Bearer placeholder' } }
            : { host: '127.0.0.1', port: direct ? s.upstreamPort : s.sourcePort, path: PATH, agent: plain, headers: { authorization: direct ? `Bearer ${BEARER_KEY}` : 'Bearer placeholder' } },
          (res) => collect(res, done),
        );
        req.on('error', fail);
        req.end();
      }),
    close() {
      plain.destroy();
      mitm.destroy();
    },
  };
}

const PATHS: readonly PathName[] = ['direct', 'port', 'mitm'];

/** `calls` rounds; each round calls every path once, in a rotating order. */
async function measure(clients: Clients, calls: number): Promise<Record<PathName, number[]>> {
  const out: Record<PathName, number[]> = { direct: [], port: [], mitm: [] };
  for (let i = 0; i < calls; i++) {
    for (let k = 0; k < PATHS.length; k++) {
      const path = PATHS[(i + k) % PATHS.length] as PathName;
      out[path].push(await clients.call(path));
    }
  }
  return out;
}

function table(name: string, samples: Record<PathName, number[]>): Record<string, unknown> {
  const s = Object.fromEntries(PATHS.map((p) => [p, summarize(samples[p])])) as Record<PathName, ReturnType<typeof summarize>>;
  const row = (p: PathName): Record<string, number> => ({ p50Ms: round(s[p].p50), p90Ms: round(s[p].p90), p99Ms: round(s[p].p99) });
  const added = (p: PathName, base: PathName): Record<string, number> => ({ p50Ms: round(s[p].p50 - s[base].p50), p99Ms: round(s[p].p99 - s[base].p99) });
  return { name, calls: samples.direct.length, direct: row('direct'), port: row('port'), mitm: row('mitm'), portOverDirect: added('port', 'direct'), mitmOverDirect: added('mitm', 'direct'), mitmOverPort: added('mitm', 'port') };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '3000' }, 'fresh-calls': { type: 'string', default: '300' }, json: { type: 'string' } } });
  const calls = Number(values.calls);
  const freshCalls = Number(values['fresh-calls']);
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-proxy-mode-'));
  const procs: Proc[] = [];
  try {
    const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'unused' } })], { core: LOAD_CORE, cwd: repoRoot });
    procs.push(upstream);
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    const sourcePort = await freePort();
    mkdirSync(join(dir, 'config'), { recursive: true });
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    writeFileSync(join(dir, 'sources/api/key'), BEARER_KEY);
    writeFileSync(join(dir, 'config/resources.yaml'), resources(upstreamPort, sourcePort));
    const main = join(repoRoot, SIDECAR_MAIN);
    const [file, args] = sidecarCommand(main, [...sidecarArgs(dir, main).slice(1), '--proxy-port', '0', '--proxy-ca-dir', join(dir, 'proxy-ca')]);
    const sidecar = spawnPinned('sidecar', file, args, { core: PROXY_CORE, ignoreStdout: true, cwd: repoRoot });
    procs.push(sidecar);
    const started = JSON.parse(await sidecar.waitForLine((l) => l.includes('portcullis sidecar started'), 15_000)) as { adminPort: number; proxyPort: number };
    await waitForHttp(`http://127.0.0.1:${started.adminPort}/readyz`, 15_000, sidecar);
    const setup: Setup = { upstreamPort, sourcePort, proxyPort: started.proxyPort, ca: readFileSync(join(dir, 'proxy-ca/ca.crt'), 'utf8') };

    const warm = clients(setup, true);
    await measure(warm, 200);
    warm.close();
    const alive = clients(setup, true);
    const steady = table('kept-alive connection', await measure(alive, calls));
    alive.close();
    const perConnection = clients(setup, false);
    const perCall = table('new connection per call', await measure(perConnection, freshCalls));
    perConnection.close();
    const result = { date: new Date().toISOString(), loadAverage: loadavg().map((l) => round(l, 2)), runtime: 'sidecar executable (Bun)', rows: [steady, perCall] };
    const json = values.json ?? join(repoRoot, '.cache/bench', `proxy-mode-${result.date.slice(0, 10)}.json`);
    mkdirSync(resolve(json, '..'), { recursive: true });
    writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
    for (const r of result.rows) {
      const row = r as { name: string; calls: number; direct: { p50Ms: number; p99Ms: number }; port: { p50Ms: number; p99Ms: number }; mitm: { p50Ms: number; p99Ms: number }; mitmOverPort: { p50Ms: number; p99Ms: number } };
      console.log(
        `${row.name} (${row.calls} calls each): direct p50 ${row.direct.p50Ms} p99 ${row.direct.p99Ms} ms · port p50 ${row.port.p50Ms} p99 ${row.port.p99Ms} ms · mitm p50 ${row.mitm.p50Ms} p99 ${row.mitm.p99Ms} ms · mitm − port p50 ${row.mitmOverPort.p50Ms} p99 ${row.mitmOverPort.p99Ms} ms`,
      );
    }
    console.log(`load average at the end: ${result.loadAverage.join(' ')}; results in ${json}`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
