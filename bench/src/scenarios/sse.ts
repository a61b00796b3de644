// Server-sent events: the upstream stamps each event with its wall-clock send time (µs); the client notes
// when the event arrives. Added time to first event = TTFE through a proxy minus TTFE direct; added
// per-event delay = (arrival − send) through a proxy minus the same direct. Streams alternate variants.
import { request } from 'node:http';
import { summarize } from '../lib/stats.ts';
import type { Profile } from '../profile.ts';
import { BEARER_KEY, PLACEHOLDER, type VariantId, type World } from '../targets/world.ts';
import { rotate } from './latency.ts';

const VARIANTS: readonly VariantId[] = ['direct', 'nginx', 'node-http', 'http-proxy-3', 'sidecar-bearer'];

const wallUs = (): number => performance.timeOrigin * 1000 + performance.now() * 1000;

function stream(port: number, auth: string, events: number, intervalMs: number): Promise<{ ttfeMs: number; delaysMs: number[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttfeMs = NaN;
    const delaysMs: number[] = [];
    const req = request({ host: '127.0.0.1', port, path: `/sse?events=${events}&intervalMs=${intervalMs}`, headers: { authorization: auth, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE answered ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = wallUs();
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const m = /"sentUs":([\d.]+)/.exec(event);
          if (!m) continue;
          if (Number.isNaN(ttfeMs)) ttfeMs = performance.now() - t0;
          delaysMs.push((now - Number(m[1])) / 1000);
        }
      });
      res.on('end', () => (delaysMs.length === events ? resolve({ ttfeMs, delaysMs }) : reject(new Error(`SSE delivered ${delaysMs.length} of ${events} events`))));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseResult {
  readonly streams: number;
  readonly events: number;
  readonly intervalMs: number;
  readonly variants: Record<string, { label: string; ttfeMs: ReturnType<typeof summarize>; delayMs: ReturnType<typeof summarize>; addedTtfeP50Ms?: number; addedDelayP50Ms?: number; addedDelayP99Ms?: number }>;
}

export async function sseScenario(world: World, profile: Profile, log: (line: string) => void): Promise<SseResult> {
  const ttfe = new Map<VariantId, number[]>();
  const delays = new Map<VariantId, number[]>();
  for (let s = 0; s < profile.sseStreams; s++) {
    for (const id of rotate(VARIANTS, s)) {
      const v = world.variant(id);
      const r = await stream(v.port, id === 'direct' ? `Bearer ${BEARER_KEY}` : `Bearer ${PLACEHOLDER}`, profile.sseEvents, profile.sseIntervalMs);
      (ttfe.get(id) ?? ttfe.set(id, []).get(id))?.push(r.ttfeMs);
      (delays.get(id) ?? delays.set(id, []).get(id))?.push(...r.delaysMs);
    }
  }
  const result: SseResult = { streams: profile.sseStreams, events: profile.sseEvents, intervalMs: profile.sseIntervalMs, variants: {} };
  const direct = { ttfe: summarize(ttfe.get('direct') ?? []), delay: summarize(delays.get('direct') ?? []) };
  for (const id of VARIANTS) {
    const t = summarize(ttfe.get(id) ?? []);
    const d = summarize(delays.get(id) ?? []);
    result.variants[id] = {
      label: world.variant(id).label,
      ttfeMs: t,
      delayMs: d,
      ...(id === 'direct' ? {} : { addedTtfeP50Ms: t.p50 - direct.ttfe.p50, addedDelayP50Ms: d.p50 - direct.delay.p50, addedDelayP99Ms: d.p99 - direct.delay.p99 }),
    };
    log(`sse ${id}: TTFE p50 ${t.p50.toFixed(3)} ms, event delay p50 ${d.p50.toFixed(3)} p99 ${d.p99.toFixed(3)} ms`);
  }
  return result;
}
