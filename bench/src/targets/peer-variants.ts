// The peers as variants of the world, each proven to inject the credential before it is measured (the
// upstream answers 200 only to the real key or a signature made with it), as sigv4Sidecar() proves the
// sidecar: iron-proxy on the bearer workload, aws-sigv4-proxy on the SigV4 JSON workload. A peer that is
// missing or fails its proof stays in the results as not available, with the reason.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { send, type HttpSpec } from '../lib/http.ts';
import type { Proc } from '../lib/procs.ts';
import { startAwsSigv4Proxy } from './peers/aws-sigv4-proxy.ts';
import { startIronProxy } from './peers/iron-proxy.ts';
import type { PeersInfo } from './peers/locate.ts';
import type { Size, Variant, VariantId } from './world.ts';

export interface PeerWorld {
  readonly upstreamPort: number;
  readonly bearerKey: string;
  readonly placeholder: string;
  readonly realAws: { accessKeyId: string; secretAccessKey: string };
  readonly core: number;
  /** The bearer request for a size (path and placeholder), to which iron-proxy adds Host. */
  readonly bearerPath: (size: Size) => string;
  /** A DynamoDB JSON call signed with the placeholder keys for the given port. */
  readonly sigv4Spec: (port: number, size: Size) => Promise<HttpSpec>;
}

const off = (id: VariantId, label: string, baseline: Variant['baseline'], reason: string): Variant => ({
  id, label, baseline, available: false, reason, port: 0, spec: () => Promise.reject(new Error(`${id} is not available: ${reason}`)),
});

async function proven(id: VariantId, spec: HttpSpec): Promise<string | undefined> {
  const reply = await send(spec, 5000).catch((err: unknown) => ({ status: 0, body: String(err) }));
  return reply.status === 200 ? undefined : `${id} answered the credential check with ${reply.status}: ${reply.body.slice(0, 200)}`;
}

async function ironProxy(dir: string, peers: PeersInfo, w: PeerWorld, procs: Proc[]): Promise<Variant> {
  const label = 'iron-proxy (bearer, placeholder swap)';
  if (!peers.available) return off('iron-proxy', label, 'direct', peers.reason ?? 'peers not available');
  try {
    mkdirSync(dir, { recursive: true });
    const { proc, port } = await startIronProxy({ peersDir: peers.dir, dir, placeholder: w.placeholder, realKey: w.bearerKey, core: w.core });
    procs.push(proc);
    const spec = (size: Size): Promise<HttpSpec> =>
      Promise.resolve({ method: 'GET', url: `http://127.0.0.1:${port}${w.bearerPath(size)}`, headers: { host: `127.0.0.1:${w.upstreamPort}`, authorization: `Bearer ${w.placeholder}` } });
    const why = await proven('iron-proxy', await spec('1KiB'));
    if (why) return off('iron-proxy', label, 'direct', `${why}\n${proc.tail()}`);
    return { id: 'iron-proxy', label, baseline: 'direct', available: true, pid: proc.pid, port, spec };
  } catch (err) {
    return off('iron-proxy', label, 'direct', `did not start: ${String(err).slice(0, 400)}`);
  }
}

async function awsSigv4Proxy(peers: PeersInfo, w: PeerWorld, procs: Proc[]): Promise<Variant> {
  const label = 'aws-sigv4-proxy (SigV4 JSON, re-signed)';
  if (!peers.available) return off('aws-sigv4-proxy', label, 'direct-sigv4', peers.reason ?? 'peers not available');
  try {
    const { proc, port } = await startAwsSigv4Proxy({ peersDir: peers.dir, upstreamPort: w.upstreamPort, service: 'dynamodb', keys: w.realAws, core: w.core });
    procs.push(proc);
    const why = await proven('aws-sigv4-proxy', await w.sigv4Spec(port, '1KiB'));
    if (why) return off('aws-sigv4-proxy', label, 'direct-sigv4', why);
    return { id: 'aws-sigv4-proxy', label, baseline: 'direct-sigv4', available: true, pid: proc.pid, port, spec: (size) => w.sigv4Spec(port, size) };
  } catch (err) {
    return off('aws-sigv4-proxy', label, 'direct-sigv4', `did not start: ${String(err).slice(0, 400)}`);
  }
}

/** Starts the peers (their processes go into `procs`, which the world stops) and returns their variants. */
export async function peerVariants(dir: string, peers: PeersInfo, w: PeerWorld, procs: Proc[]): Promise<Variant[]> {
  return [await ironProxy(join(dir, 'iron-proxy'), peers, w, procs), await awsSigv4Proxy(peers, w, procs)];
}
