// Issue 12's targets against the peers, measured side by side in the same run and pinning: SigV4 JSON
// throughput ≥ 1.5× aws-sigv4-proxy; bearer throughput above iron-proxy's with a lower RSS; the aws-chunked
// PUT faster than aws-sigv4-proxy's with at most half its peak RSS. A run without ../shared/peers (or with
// a peer that failed its credential check) leaves these rows not available, with the reason.
import { median, type Spread } from '../lib/stats.ts';
import { check, x, type TargetCheck } from './check.ts';
import type { Results } from './results.ts';

type Availability = { available: boolean; reason?: string } | undefined;

/** Why a peer row has no value: the peers folder was missing, the peer failed, or it was not run at all. */
function missing(r: Results, peer: Availability, scenario: string): string {
  if (r.meta.peers && !r.meta.peers.available) return `not available: ${r.meta.peers.reason ?? 'peers missing'}`;
  if (peer && !peer.available) return `not available: ${peer.reason ?? ''}`;
  return `not available: no ${scenario} run with the peer in this results file`;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
const mib = (v: number): string => `${v.toFixed(1)} MiB`;

/** Both halves of a two-part target must hold; the measured text shows both. */
function both(what: string, target: string, parts: readonly [number | undefined, number | undefined], ok: (a: number, b: number) => boolean, text: (a: number, b: number) => string, note: string): TargetCheck {
  const [a, b] = parts;
  if (!finite(a) || !finite(b)) return { what, target, measured: undefined, met: undefined, note };
  return { what, target, measured: text(a, b), met: ok(a, b), note };
}

/** a ÷ b when both are finite numbers. */
const ratio = (a: number | undefined, b: number | undefined): number | undefined => (finite(a) && finite(b) ? a / b : undefined);

/** Paired like the rest of the page: the ratio within each round (both measured back to back), median over rounds. */
function paired(a: Spread | undefined, b: Spread | undefined): number | undefined {
  if (!a || !b) return undefined;
  const m = median(a.rounds.map((v, i) => v / (b.rounds[i] ?? NaN)));
  return finite(m) ? m : undefined;
}

type ThroughputVariant = NonNullable<Results['throughput']>['variants'][string];
const rps1k = (v: ThroughputVariant | undefined): Spread | undefined => v?.bySize['1KiB']?.rps;

function sigv4VsAwsSigv4Proxy(r: Results): TargetCheck {
  const ours = r.throughput?.variants['sidecar-sigv4'];
  const peer = r.throughput?.variants['aws-sigv4-proxy'];
  const value = paired(rps1k(ours), rps1k(peer));
  const note = value !== undefined ? `${f0(rps1k(ours)?.median)} vs ${f0(rps1k(peer)?.median)} rps (medians); ratio paired per round` : missing(r, ours?.available === false ? ours : peer, 'throughput');
  return check('SigV4 JSON throughput, 1 KiB, vs aws-sigv4-proxy', '≥ 1.5× aws-sigv4-proxy', value, (v) => v >= 1.5, x, note);
}

const f0 = (v: number | undefined): string => (v ?? NaN).toFixed(0);

function bearerVsIronProxy(r: Results): TargetCheck {
  const ours = r.throughput?.variants['sidecar-bearer'];
  const peer = r.throughput?.variants['iron-proxy'];
  const speed = paired(rps1k(ours), rps1k(peer));
  const memory = ratio(ours?.peakRssMiB, peer?.peakRssMiB);
  const note = speed !== undefined && memory !== undefined
    ? `peak RSS (VmHWM) over the run: ${mib(ours?.peakRssMiB ?? NaN)} vs ${mib(peer?.peakRssMiB ?? NaN)}; both served the same warm-up, latency and throughput runs`
    : missing(r, peer, 'throughput');
  return both('bearer throughput and RSS, 1 KiB, vs iron-proxy', 'higher rps, lower RSS', [speed, memory], (a, b) => a > 1 && b < 1,
    (a, b) => `${x(a)} its rps, ${x(b)} its peak RSS`, note);
}

type StreamingRun = NonNullable<Results['streaming']>['runs'][string];
const usable = (run: StreamingRun | undefined): StreamingRun | undefined => (run?.available ? run : undefined);
const firstWord = (text: string | undefined): string => text?.split(' ')[0] ?? '—';

const peakOf = (run: StreamingRun | undefined): number | undefined => usable(run)?.peakRssMiB?.max;

function chunkedNote(ours: StreamingRun | undefined, peer: StreamingRun | undefined): string {
  const verdicts = `chunk signatures at the upstream: sidecar ${firstWord(ours?.chunkSignatures)}, aws-sigv4-proxy ${firstWord(peer?.chunkSignatures)}`;
  return `${mib(peakOf(ours) ?? NaN)} vs ${mib(peakOf(peer) ?? NaN)} peak (worst round); ${verdicts}`;
}

function chunkedVsAwsSigv4Proxy(r: Results): TargetCheck {
  const runs = r.streaming?.runs ?? {};
  const ours = runs['sidecar-sigv4-chunked'];
  const peer = runs['aws-sigv4-proxy-chunked'];
  const speed = paired(usable(ours)?.mibPerSecond, usable(peer)?.mibPerSecond);
  const memory = ratio(peakOf(ours), peakOf(peer));
  const note = speed !== undefined && memory !== undefined ? chunkedNote(ours, peer) : missing(r, ours?.available === false ? ours : peer, 'streaming');
  return both(`aws-chunked ${r.streaming?.mib ?? 1024} MiB PutObject vs aws-sigv4-proxy`, 'higher MiB/s, ≤ ½ its peak RSS', [speed, memory], (a, b) => a > 1 && b <= 0.5,
    (a, b) => `${x(a)} its MiB/s, ${x(b)} its peak RSS`, note);
}

export function peerTargets(r: Results): TargetCheck[] {
  return [sigv4VsAwsSigv4Proxy(r), bearerVsIronProxy(r), chunkedVsAwsSigv4Proxy(r)];
}
