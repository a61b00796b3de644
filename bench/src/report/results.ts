import type { Profile } from '../profile.ts';
import type { DecisionResult } from '../scenarios/decision.ts';
import type { FootprintResult } from '../scenarios/footprint.ts';
import type { LatencyResult } from '../scenarios/latency.ts';
import type { RevocationResult } from '../scenarios/revocation.ts';
import type { SseResult } from '../scenarios/sse.ts';
import type { StreamingResult } from '../scenarios/streaming.ts';
import type { ThroughputReport } from '../scenarios/throughput.ts';
import type { WebhookResult } from '../scenarios/webhook.ts';

/** bench/results/<date>.json */
export interface Results {
  meta: {
    date: string;
    profile: Profile['name'];
    profileSettings: Profile;
    host: { cpu: string; cores: number; memoryGiB: number };
    pinning: { proxyCore: number; loadCore: number };
    versions: Record<string, string>;
    commit: string;
    /** Where the peer binaries were looked for; without them the peer rows are skipped (absent in older files). */
    peers?: { dir: string; available: boolean; reason?: string };
    loadBefore: number[];
    loadAfter: number[];
    /** Share of CPU time the hypervisor stole during the run. */
    stealPercent: number;
    seconds: number;
    scenarioLoad: Record<string, { loadBefore: number; loadAfter: number; seconds: number }>;
  };
  variants?: { id: string; label: string; available: boolean; reason?: string }[];
  decision?: DecisionResult;
  latency?: LatencyResult;
  throughput?: ThroughputReport;
  sse?: SseResult;
  streaming?: StreamingResult;
  footprint?: FootprintResult;
  revocation?: RevocationResult;
  webhook?: WebhookResult;
}
