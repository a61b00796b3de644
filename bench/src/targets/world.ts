// Everything the load runs against, started once and kept for the whole run: the upstream (load core),
// and on the proxy core nginx, the plain node:http pass-through, http-proxy-3, the sidecar (bearer, and
// SigV4 when this build of the sidecar supports AWS sources), the Node build of the sidecar (the previous
// runtime, bearer) and the peers from ../shared/peers (iron-proxy, aws-sigv4-proxy; peer-variants.ts). Idle proxies cost no CPU, so they can wait
// while another is measured; every load alternates between them.
import { join } from 'node:path';
import { freePort, send, waitForHttp, type HttpSpec } from '../lib/http.ts';
import { spawnPinned, type Proc } from '../lib/procs.ts';
import { signDynamo, type AwsKeys, type DynamoOperation } from '../sigv4/sign.ts';
import { startNginx } from './nginx.ts';
import { peerVariants } from './peer-variants.ts';
import type { PeersInfo } from './peers/locate.ts';
import { SIDECAR_NODE_MAIN, startSidecar, type RunningSidecar } from './sidecar.ts';

export const PROXY_CORE = 0;
export const LOAD_CORE = 1;

export const BEARER_KEY = 'bench-real-bearer-key';
export const PLACEHOLDER = 'portcullis-placeholder';
export const AWS_REAL: AwsKeys = { accessKeyId: 'AKIABENCHREAL0000001', secretAccessKey: 'bench-real-secret-access-key' };
// The app signs with the placeholder keys the webhook gives it (shared AWS_ENV_DEFAULTS).
export const AWS_PLACEHOLDER: AwsKeys = { accessKeyId: PLACEHOLDER, secretAccessKey: PLACEHOLDER };

export type VariantId =
  | 'direct' | 'nginx' | 'node-http' | 'http-proxy-3' | 'sidecar-bearer' | 'sidecar-node-bearer' | 'iron-proxy'
  | 'direct-sigv4' | 'sidecar-sigv4' | 'aws-sigv4-proxy';
export type Size = '1KiB' | '16KiB';

export interface Variant {
  readonly id: VariantId;
  readonly label: string;
  /** The direct call the added latency is measured against. */
  readonly baseline: 'direct' | 'direct-sigv4';
  readonly available: boolean;
  readonly reason?: string;
  /** The proxy process (for RSS); undefined for direct calls. */
  readonly pid?: number;
  readonly port: number;
  /** The request to repeat, freshly signed for SigV4 variants. */
  spec(size: Size): Promise<HttpSpec>;
}

export interface World {
  readonly upstreamPort: number;
  readonly variants: readonly Variant[];
  readonly bearerSidecar: RunningSidecar;
  /** Where the peer binaries were looked for, and whether they were there. */
  readonly peers: PeersInfo;
  variant(id: VariantId): Variant;
  stop(): Promise<void>;
}

const PATH: Record<Size, string> = { '1KiB': '/bytes/1024', '16KiB': '/bytes/16384' };
const OPERATION: Record<Size, DynamoOperation> = { '1KiB': 'GetItem', '16KiB': 'BatchGetItem' };

function bearerVariant(id: VariantId, label: string, port: number, auth: string, pid: number | undefined): Variant {
  return {
    id, label, baseline: 'direct', available: true, port, ...(pid === undefined ? {} : { pid }),
    spec: (size) => Promise.resolve({ method: 'GET', url: `http://127.0.0.1:${port}${PATH[size]}`, headers: { authorization: auth } }),
  };
}

function sigv4Spec(keys: AwsKeys, port: number, size: Size): Promise<HttpSpec> {
  return signDynamo(keys, port, OPERATION[size], new Date()).then(({ headers, body }) => ({ method: 'POST', url: `http://127.0.0.1:${port}/`, headers, body }));
}

async function startNodeProxy(script: string, upstreamPort: number): Promise<{ proc: Proc; port: number }> {
  const proc = spawnPinned(script, process.execPath, [`bench/src/servers/${script}.ts`, JSON.stringify({ upstreamPort, bearerKey: BEARER_KEY })], { core: PROXY_CORE });
  const line = await proc.waitForLine((l) => l.includes('"listening"'), 10_000);
  return { proc, port: (JSON.parse(line) as { listening: number }).listening };
}

/** Starts the SigV4 sidecar and proves it works end to end; otherwise says why it is not available. */
async function sigv4Sidecar(dir: string, upstreamPort: number): Promise<{ sidecar?: RunningSidecar; reason?: string }> {
  const port = await freePort();
  let sidecar: RunningSidecar | undefined;
  try {
    sidecar = await startSidecar(dir, { kind: 'sigv4', port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE);
    const probe = await sigv4Spec(AWS_PLACEHOLDER, port, '1KiB');
    const reply = await waitForHttp(`http://127.0.0.1:${sidecar.adminPort}/readyz`, 5000).then(() => send(probe, 5000));
    if (reply.status === 200) return { sidecar };
    await sidecar.proc.stop();
    return { reason: `the sidecar answered a signed DynamoDB GetItem with ${reply.status}: ${reply.body.slice(0, 200)}` };
  } catch (err) {
    await sidecar?.proc.stop();
    const text = String(err instanceof Error ? err.message : err);
    return { reason: `the sidecar does not serve a type aws CredentialSource yet (${text.split('\n').slice(0, 3).join(' ').slice(0, 300)})` };
  }
}

/** The same bearer sidecar on Node 24 (sidecar/dist/main.js): the runtime it ran on before ADR 6. */
async function nodeSidecar(dir: string, upstreamPort: number): Promise<RunningSidecar> {
  const port = await freePort();
  const sc = await startSidecar(dir, { kind: 'bearer', port, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE, SIDECAR_NODE_MAIN);
  await waitForHttp(`http://127.0.0.1:${port}/bytes/1`, 10_000, sc.proc);
  return sc;
}

export async function startWorld(dir: string, peers: PeersInfo, log: (line: string) => void): Promise<World> {
  const procs: Proc[] = [];
  try {
    const upstream = spawnPinned('upstream', process.execPath, ['bench/src/servers/upstream.ts', JSON.stringify({ bearerKey: BEARER_KEY, aws: AWS_REAL })], { core: LOAD_CORE });
    procs.push(upstream);
    const upstreamPort = (JSON.parse(await upstream.waitForLine((l) => l.includes('"listening"'), 10_000)) as { listening: number }).listening;
    log(`upstream on 127.0.0.1:${upstreamPort} (core ${LOAD_CORE})`);

    const nginxPort = await freePort();
    const nginx = await startNginx(join(dir, 'nginx'), nginxPort, upstreamPort, BEARER_KEY, PROXY_CORE);
    procs.push(nginx);
    const plain = await startNodeProxy('plain-proxy', upstreamPort);
    procs.push(plain.proc);
    const hp3 = await startNodeProxy('http-proxy3', upstreamPort);
    procs.push(hp3.proc);
    const bearerPort = await freePort();
    const bearer = await startSidecar(join(dir, 'sidecar-bearer'), { kind: 'bearer', port: bearerPort, upstreamPort, bearerKey: BEARER_KEY, aws: AWS_REAL }, PROXY_CORE);
    procs.push(bearer.proc);
    await waitForHttp(`http://127.0.0.1:${bearerPort}/bytes/1`, 10_000, bearer.proc);
    log(`proxies on core ${PROXY_CORE}: nginx :${nginxPort}, node:http :${plain.port}, http-proxy-3 :${hp3.port}, sidecar :${bearerPort}`);

    const aws = await sigv4Sidecar(join(dir, 'sidecar-sigv4'), upstreamPort);
    if (aws.sidecar) procs.push(aws.sidecar.proc);
    log(aws.sidecar ? `sidecar SigV4 on :${aws.sidecar.port}` : `sidecar SigV4: not available — ${aws.reason ?? ''}`);
    const sigv4Port = aws.sidecar?.port ?? 0;

    const onNode = await nodeSidecar(join(dir, 'sidecar-node-bearer'), upstreamPort);
    procs.push(onNode.proc);
    const peerList = await peerVariants(join(dir, 'peers'), peers, {
      upstreamPort, bearerKey: BEARER_KEY, placeholder: PLACEHOLDER, realAws: AWS_REAL, core: PROXY_CORE,
      bearerPath: (size) => PATH[size], sigv4Spec: (port, size) => sigv4Spec(AWS_PLACEHOLDER, port, size),
    }, procs);
    for (const p of peerList) log(p.available ? `peer ${p.id} on :${p.port} (credential injection checked)` : `peer ${p.id}: not available — ${p.reason ?? ''}`);
    const peer = (id: VariantId): Variant => peerList.find((p) => p.id === id) as Variant;

    const variants: Variant[] = [
      bearerVariant('direct', 'direct', upstreamPort, `Bearer ${BEARER_KEY}`, undefined),
      bearerVariant('nginx', 'nginx', nginxPort, `Bearer ${PLACEHOLDER}`, nginx.pid),
      bearerVariant('node-http', 'node:http pass-through', plain.port, `Bearer ${PLACEHOLDER}`, plain.proc.pid),
      bearerVariant('http-proxy-3', 'http-proxy-3', hp3.port, `Bearer ${PLACEHOLDER}`, hp3.proc.pid),
      bearerVariant('sidecar-bearer', 'sidecar (bearer)', bearerPort, `Bearer ${PLACEHOLDER}`, bearer.proc.pid),
      bearerVariant('sidecar-node-bearer', 'sidecar on Node 24 (bearer, previous runtime)', onNode.port, `Bearer ${PLACEHOLDER}`, onNode.proc.pid),
      peer('iron-proxy'),
      { id: 'direct-sigv4', label: 'direct (SigV4)', baseline: 'direct-sigv4', available: true, port: upstreamPort, spec: (size) => sigv4Spec(AWS_REAL, upstreamPort, size) },
      {
        id: 'sidecar-sigv4', label: 'sidecar (SigV4 JSON)', baseline: 'direct-sigv4', available: aws.sidecar !== undefined,
        ...(aws.reason ? { reason: aws.reason } : {}), ...(aws.sidecar ? { pid: aws.sidecar.proc.pid } : {}), port: sigv4Port,
        spec: (size) => sigv4Spec(AWS_PLACEHOLDER, sigv4Port, size),
      },
      peer('aws-sigv4-proxy'),
    ];
    return {
      upstreamPort,
      variants,
      bearerSidecar: bearer,
      peers,
      variant: (id) => variants.find((v) => v.id === id) as Variant,
      stop: async () => {
        for (const p of procs.reverse()) await p.stop();
      },
    };
  } catch (err) {
    for (const p of procs.reverse()) await p.stop();
    throw err;
  }
}
