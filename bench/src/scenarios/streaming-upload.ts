// One large PUT as the streaming scenario sends it: the body generated on the fly with backpressure, the
// proxy's RSS sampled every 20 ms meanwhile, the upstream's answer checked (byte count, and for aws-chunked
// bodies its verdict on the chunk signatures).
import { request } from 'node:http';
import { memoryOf } from '../lib/procs.ts';
import type { ChunkVerdict } from '../sigv4/verify-chunks.ts';

export const MiB = 1024 * 1024;

export interface Upload {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly contentLength: number;
  chunks(): Iterator<Buffer>;
}

/** Sends the body with backpressure; resolves with the status, upstream's answer and the seconds taken. */
export function upload(u: Upload): Promise<{ status: number; body: string; seconds: number }> {
  const url = new URL(u.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(u.headers)) if (k !== 'host') headers[k] = v;
  headers['content-length'] = String(u.contentLength);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path: url.pathname, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), seconds: (performance.now() - t0) / 1000 }));
    });
    req.on('error', reject);
    const it = u.chunks();
    const pump = (): void => {
      for (;;) {
        const next = it.next();
        if (next.done) return void req.end();
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/** `totalBytes` of 'b' in 1 MiB writes. */
export function repeatedBody(totalBytes: number): () => Iterator<Buffer> {
  const chunk = Buffer.alloc(MiB, 0x62);
  return function* chunks() {
    for (let sent = 0; sent < totalBytes; sent += MiB) yield sent + MiB <= totalBytes ? chunk : chunk.subarray(0, totalBytes - sent);
  };
}

export function plainUpload(url: string, auth: string, totalBytes: number): Upload {
  return { url, headers: { authorization: auth, 'content-type': 'application/octet-stream' }, contentLength: totalBytes, chunks: repeatedBody(totalBytes) };
}

export interface Sampled {
  seconds: number;
  idleKiB: number;
  peakKiB: number;
  /** The upstream's verdict on an aws-chunked body's chunk signatures. */
  chunkSignatures?: ChunkVerdict;
}

export type Add = (id: string, s: Sampled) => void;

export async function sampled(pid: number | undefined, run: () => Promise<{ status: number; body: string; seconds: number }>, expect: (body: string) => boolean): Promise<Sampled> {
  const idleKiB = pid === undefined ? 0 : memoryOf(pid).rssKiB;
  let peakKiB = idleKiB;
  const timer = pid === undefined ? undefined : setInterval(() => (peakKiB = Math.max(peakKiB, memoryOf(pid).rssKiB)), 20);
  try {
    const r = await run();
    if (r.status !== 200 || !expect(r.body)) throw new Error(`upload failed: ${r.status} ${r.body.slice(0, 300)}`);
    const verdict = (JSON.parse(r.body) as { chunkSignatures?: ChunkVerdict }).chunkSignatures;
    return { seconds: r.seconds, idleKiB, peakKiB, ...(verdict ? { chunkSignatures: verdict } : {}) };
  } finally {
    clearInterval(timer);
  }
}

export const rssNote = (s: Sampled): string => `, RSS ${(s.idleKiB / 1024).toFixed(1)} → peak ${(s.peakKiB / 1024).toFixed(1)} MiB`;
export const verdictNote = (s: Sampled): string => (s.chunkSignatures ? `, chunk signatures ${s.chunkSignatures.verdict}` : '');
