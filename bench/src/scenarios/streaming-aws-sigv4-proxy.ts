// aws-sigv4-proxy on the large PUTs, a fresh process per upload (it keeps the memory a whole body took, so
// a second upload through the same process would start from the first one's peak):
// a plain PutObject (the app signs UNSIGNED-PAYLOAD with the placeholder keys; the proxy reads the whole
// body, hashes it and re-signs) and the aws-chunked PutObject the sidecar re-chains. The upstream's verdict
// on the chunk signatures it forwards is recorded with the throughput: the README says they arrive stale.
import { send } from '../lib/http.ts';
import { sleep } from '../lib/procs.ts';
import type { Profile } from '../profile.ts';
import { chunkedPutObject } from '../sigv4/chunked.ts';
import { signedPutObject } from '../sigv4/put.ts';
import { startAwsSigv4Proxy } from '../targets/peers/aws-sigv4-proxy.ts';
import { AWS_PLACEHOLDER, AWS_REAL, PROXY_CORE, type World } from '../targets/world.ts';
import { MiB, repeatedBody, rssNote, sampled, upload, verdictNote, type Add } from './streaming-upload.ts';

export const AWS_SIGV4_PROXY_LABELS: Readonly<Record<string, string>> = {
  'aws-sigv4-proxy-put': 'aws-sigv4-proxy PutObject (plain body, re-signed)',
  'aws-sigv4-proxy-chunked': 'aws-sigv4-proxy aws-chunked PutObject (chunks forwarded)',
};

/** A 1 KiB PutObject through the proxy must reach the upstream signed with the real key. */
async function proveInjection(port: number): Promise<void> {
  const headers = await signedPutObject(AWS_PLACEHOLDER, port, 'probe', 1024, new Date());
  const reply = await send({ method: 'PUT', url: `http://127.0.0.1:${port}/bench/probe`, headers, body: 'b'.repeat(1024) }, 5000);
  if (reply.status !== 200) throw new Error(`aws-sigv4-proxy answered a 1 KiB PutObject with ${reply.status}: ${reply.body.slice(0, 200)}`);
}

type Run = (port: number) => Promise<{ status: number; body: string; seconds: number }>;

export async function awsSigv4ProxyRound(world: World, profile: Profile, round: number, add: Add, log: (line: string) => void): Promise<void> {
  const total = profile.streamingMiB * MiB;
  const key = `object-${round}`;
  const runs: Record<string, Run> = {
    'aws-sigv4-proxy-put': async (port) =>
      upload({ url: `http://127.0.0.1:${port}/bench/${key}`, headers: await signedPutObject(AWS_PLACEHOLDER, port, key, total, new Date()), contentLength: total, chunks: repeatedBody(total) }),
    'aws-sigv4-proxy-chunked': async (port) => {
      const body = await chunkedPutObject(AWS_PLACEHOLDER, port, key, total, 64 * 1024, new Date());
      return upload({ url: `http://127.0.0.1:${port}/bench/${key}`, headers: body.headers, contentLength: body.contentLength, chunks: () => body.chunks() });
    },
  };
  const ids = Object.keys(runs);
  for (const id of round % 2 ? ids.reverse() : ids) {
    const { proc, port } = await startAwsSigv4Proxy({ peersDir: world.peers.dir, upstreamPort: world.upstreamPort, service: 's3', keys: AWS_REAL, core: PROXY_CORE });
    try {
      await proveInjection(port);
      await sleep(200);
      const s = await sampled(proc.pid, () => (runs[id] as Run)(port), (b) => (JSON.parse(b) as { bytes: number }).bytes >= total);
      add(id, s);
      log(`streaming round ${round + 1} ${id}: ${(profile.streamingMiB / s.seconds).toFixed(0)} MiB/s${rssNote(s)}${verdictNote(s)}`);
    } finally {
      await proc.stop();
    }
  }
}
