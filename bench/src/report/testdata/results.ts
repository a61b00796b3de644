// Small hand-made results files for the report's tests: a run with the peers beside the sidecar, and
// the same run made without ../shared/peers.
import { spread } from '../../lib/stats.ts';
import { PROFILES } from '../../profile.ts';
import type { ThroughputCell, ThroughputVariant } from '../../scenarios/throughput.ts';
import type { StreamingResult } from '../../scenarios/streaming.ts';
import type { Results } from '../results.ts';

const cell = (rps: number): ThroughputCell => ({ rps: spread([rps]), mibPerSecond: spread([rps / 1024]), vsDirect: spread([0.5]), vsNginx: spread([rps / 30000]), errors: 0 });
const tp = (label: string, rps: number, peakRssMiB: number): ThroughputVariant => ({ label, available: true, bySize: { '1KiB': cell(rps), '16KiB': cell(rps / 2) }, rssAfterMiB: peakRssMiB - 5, peakRssMiB });
const off = (label: string, reason: string): ThroughputVariant => ({ label, available: false, reason, bySize: {} });
type Run = StreamingResult['runs'][string];
const put = (label: string, mibPerSecond: number, peak: number, chunkSignatures?: string): Run => ({
  label, available: true, mibPerSecond: spread([mibPerSecond]), idleRssMiB: spread([20]), peakRssMiB: spread([peak]), rssGrowthMiB: spread([peak - 20]),
  ...(chunkSignatures ? { chunkSignatures } : {}),
});

export interface Peers {
  readonly sigv4Rps: number;
  readonly awsSigv4ProxyRps: number;
  readonly bearerRps: number;
  readonly bearerPeakMiB: number;
  readonly ironRps: number;
  readonly ironPeakMiB: number;
  readonly chunkedMiBs: number;
  readonly chunkedPeakMiB: number;
  readonly peerChunkedMiBs: number;
  readonly peerChunkedPeakMiB: number;
}

export const MEASURED: Peers = {
  sigv4Rps: 9000, awsSigv4ProxyRps: 4000, bearerRps: 20000, bearerPeakMiB: 40, ironRps: 12000, ironPeakMiB: 30,
  chunkedMiBs: 500, chunkedPeakMiB: 50, peerChunkedMiBs: 200, peerChunkedPeakMiB: 1300,
};

function meta(peersAvailable: boolean): Results['meta'] {
  return {
    date: '2026-12-07T04:00:00.000Z', profile: 'quick', profileSettings: PROFILES.quick, host: { cpu: 'test cpu', cores: 2, memoryGiB: 24 },
    pinning: { proxyCore: 0, loadCore: 1 }, versions: { node: 'v24.21.0' }, commit: 'abc1234',
    peers: peersAvailable ? { dir: '/work/shared/peers', available: true } : { dir: '/nowhere/shared/peers', available: false, reason: '/nowhere/shared/peers does not exist: the peer rows are skipped' },
    loadBefore: [0.1, 0.1, 0.1], loadAfter: [0.2, 0.2, 0.2], stealPercent: 0, seconds: 300, scenarioLoad: {},
  };
}

export function withPeers(p: Peers = MEASURED): Results {
  return {
    meta: meta(true),
    throughput: {
      connections: 32, seconds: 3, rounds: 1,
      variants: {
        'sidecar-bearer': tp('sidecar (bearer)', p.bearerRps, p.bearerPeakMiB),
        'iron-proxy': tp('iron-proxy (bearer, placeholder swap)', p.ironRps, p.ironPeakMiB),
        'sidecar-sigv4': tp('sidecar (SigV4 JSON)', p.sigv4Rps, 45),
        'aws-sigv4-proxy': tp('aws-sigv4-proxy (SigV4 JSON, re-signed)', p.awsSigv4ProxyRps, 25),
      },
    },
    streaming: {
      mib: 256, rounds: 1, vsDirect: {},
      runs: {
        'sidecar-sigv4-chunked': put('sidecar aws-chunked PutObject (SigV4 re-chained)', p.chunkedMiBs, p.chunkedPeakMiB, 'valid (1 round; 24 of 4097 chunk signatures checked, all valid)'),
        'aws-sigv4-proxy-chunked': put('aws-sigv4-proxy aws-chunked PutObject (chunks forwarded)', p.peerChunkedMiBs, p.peerChunkedPeakMiB, 'invalid (1 round; chunk 0 signature does not match)'),
      },
    },
  };
}

export function withoutPeers(): Results {
  const reason = '/nowhere/shared/peers does not exist: the peer rows are skipped';
  const r = withPeers();
  return {
    ...r,
    meta: meta(false),
    throughput: { ...(r.throughput as NonNullable<Results['throughput']>), variants: {
      'sidecar-bearer': tp('sidecar (bearer)', MEASURED.bearerRps, MEASURED.bearerPeakMiB),
      'iron-proxy': off('iron-proxy (bearer, placeholder swap)', reason),
      'sidecar-sigv4': tp('sidecar (SigV4 JSON)', MEASURED.sigv4Rps, 45),
      'aws-sigv4-proxy': off('aws-sigv4-proxy (SigV4 JSON, re-signed)', reason),
    } },
    streaming: { mib: 256, rounds: 1, vsDirect: {}, runs: {
      'sidecar-sigv4-chunked': put('sidecar aws-chunked PutObject (SigV4 re-chained)', MEASURED.chunkedMiBs, MEASURED.chunkedPeakMiB, 'valid (1 round)'),
      'aws-sigv4-proxy-chunked': { label: 'aws-sigv4-proxy aws-chunked PutObject (chunks forwarded)', available: false, reason, mibPerSecond: spread([]) },
    } },
  };
}
