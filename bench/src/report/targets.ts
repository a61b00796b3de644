// The targets of issue 7 (and issue 12's peer targets, peer-targets.ts), checked against one results file.
import { check, ms, unavailable, x, type TargetCheck } from './check.ts';
import { peerTargets } from './peer-targets.ts';
import type { Results } from './results.ts';

export type { TargetCheck } from './check.ts';

function latencyTargets(r: Results): TargetCheck[] {
  const bearer1k = r.latency?.variants['sidecar-bearer']?.byRate['1000'];
  return [
    check('added latency p50, bearer, 1k rps', '≤ 0.25 ms', bearer1k?.added?.p50.median, (v) => v <= 0.25, ms),
    check('added latency p99, bearer, 1k rps', '≤ 1 ms', bearer1k?.added?.p99.median, (v) => v <= 1, ms),
  ];
}

function throughputTargets(r: Results): TargetCheck[] {
  const tp = (id: string, size: string): number | undefined => r.throughput?.variants[id]?.bySize[size]?.vsNginx.median;
  return [
    check('max throughput, bearer, 1 KiB', '≥ 0.5× nginx', tp('sidecar-bearer', '1KiB'), (v) => v >= 0.5, x),
    check('max throughput, bearer, 16 KiB', '≥ 0.5× nginx', tp('sidecar-bearer', '16KiB'), (v) => v >= 0.5, x),
    check('max throughput, SigV4 JSON, 1 KiB', '≥ 0.35× nginx', tp('sidecar-sigv4', '1KiB'), (v) => v >= 0.35, x, unavailable(r.throughput?.variants['sidecar-sigv4'])),
  ];
}

const mibText = (v: number): string => `${v.toFixed(1)} MiB`;

function streamingTargets(r: Results): TargetCheck[] {
  const runs = r.streaming?.runs ?? {};
  const ratios = r.streaming?.vsDirect ?? {};
  const mib = r.streaming?.mib ?? 1024;
  return [
    check(`streaming ${mib} MiB PUT, bearer`, '≥ 0.8× direct', ratios['sidecar-bearer']?.median, (v) => v >= 0.8, x),
    check('streaming RSS growth, bearer', '≤ 32 MiB', runs['sidecar-bearer']?.rssGrowthMiB?.max, (v) => v <= 32, mibText, 'worst round, V8 defaults'),
    ...(runs['sidecar-bearer-young2']?.available
      ? [
          check('streaming RSS growth, bearer, --young-generation-mib 2', '≤ 32 MiB', runs['sidecar-bearer-young2'].rssGrowthMiB?.max, (v) => v <= 32, mibText,
            `worst round; this PUT at ${x(ratios['sidecar-bearer-young2']?.median ?? NaN)} direct; costs CPU on large responses (ANALYSIS 12)`),
        ]
      : []),
  ];
}

function chunkedTargets(r: Results): TargetCheck[] {
  const chunked = r.streaming?.runs['sidecar-sigv4-chunked'];
  const ratio = chunked?.available ? r.streaming?.vsDirect['sidecar-sigv4-chunked']?.median : undefined;
  return [
    check(`streaming ${r.streaming?.mib ?? 1024} MiB aws-chunked PutObject`, '≥ 0.8× direct', ratio, (v) => v >= 0.8, x, unavailable(chunked)),
    check('streaming RSS growth, aws-chunked', '≤ 32 MiB', chunked?.rssGrowthMiB?.max, (v) => v <= 32, mibText, unavailable(chunked) ?? 'worst round'),
  ];
}

const mib = (n: number): string => `${n.toFixed(1)} MiB`;
const wholeMs = (n: number): string => `${n.toFixed(0)} ms`;

/** Issue 12's footprint targets (the first slice's were 60 MiB and 300 ms). */
const IDLE_RSS_MIB = 40;
const READY_MS = 150;

function footprintTargets(r: Results): TargetCheck[] {
  const v = r.revocation;
  const cluster = unavailable(v) ?? 'TokenReview + informers';
  const rss = `≤ ${IDLE_RSS_MIB} MiB`;
  const ready = `≤ ${READY_MS} ms`;
  return [
    check('idle RSS, standalone (fresh, median)', rss, r.footprint?.idleRssMiB.p50, (n) => n <= IDLE_RSS_MIB, mib),
    check('start to ready, standalone (median)', ready, r.footprint?.readyMs.p50, (n) => n <= READY_MS, wholeMs),
    check('idle RSS, cluster mode (median)', rss, v?.clusterStart?.idleRssMiB.p50, (n) => n <= IDLE_RSS_MIB, mib, cluster),
    check('start to ready, cluster mode (median)', ready, v?.clusterStart?.readyMs.p50, (n) => n <= READY_MS, wholeMs, cluster),
  ];
}

function webhookNote(w: Results['webhook']): string | undefined {
  const open = w?.fixedRate;
  const loop = `closed loop${w?.client ? ` (${w.client})` : ''}, ${(w?.requestsPerSecond ?? NaN).toFixed(0)}/s`;
  return open ? `${loop}; at a fixed ${open.rate}/s p99 ${open.latencyMs.p99.toFixed(2)} ms` : loop;
}

function controlTargets(r: Results): TargetCheck[] {
  const w = r.webhook;
  const v = r.revocation;
  const worstDecision = r.decision ? Math.max(...r.decision.cases.filter((c) => c.rules >= 1000).map((c) => c.p99Us)) : undefined;
  return [
    check('webhook admission p99, 50 concurrent', '≤ 5 ms', w?.available ? w.latencyMs?.p99 : undefined, (n) => n <= 5, ms, unavailable(w) ?? webhookNote(w)),
    check('revocation p99 (policy edit → first deny)', '≤ 1 s', v?.available ? v.revokeMs?.p99 : undefined, (n) => n <= 1000, wholeMs, unavailable(v)),
    check('policy decision p99, 1,000 rules (worst case)', '≤ 10 µs', worstDecision, (n) => n <= 10, (n) => `${n.toFixed(2)} µs`),
  ];
}

export function checkTargets(r: Results): TargetCheck[] {
  return [...latencyTargets(r), ...throughputTargets(r), ...streamingTargets(r), ...chunkedTargets(r), ...peerTargets(r), ...footprintTargets(r), ...controlTargets(r)];
}
