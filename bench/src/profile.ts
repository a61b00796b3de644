// How long and how often each measurement runs. `quick` validates the harness in a few minutes on a
// busy machine; `full` is the published run. Every loop in the bench is bounded by these counts.
export interface Profile {
  readonly name: 'quick' | 'full';
  /** Alternating rounds: every variant is measured once per round, in a rotated order. */
  readonly latencyRounds: number;
  readonly latencySeconds: number;
  readonly rates: readonly number[];
  readonly throughputRounds: number;
  readonly throughputSeconds: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly streamingMiB: number;
  readonly streamingRounds: number;
  readonly sseStreams: number;
  readonly sseEvents: number;
  readonly sseIntervalMs: number;
  readonly startups: number;
  /** Seconds of the closed-loop (wrk) and of the fixed-rate (vegeta) webhook runs. */
  readonly webhookSeconds: number;
  readonly webhookSequential: number;
  readonly revocations: number;
  readonly decisions: number;
}

export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  quick: {
    name: 'quick', latencyRounds: 1, latencySeconds: 3, rates: [500, 1000, 2000], throughputRounds: 1, throughputSeconds: 3, connections: 32,
    warmupSeconds: 1, streamingMiB: 256, streamingRounds: 1, sseStreams: 5, sseEvents: 10, sseIntervalMs: 10, startups: 3,
    webhookSeconds: 3, webhookSequential: 500, revocations: 5, decisions: 50_000,
  },
  full: {
    name: 'full', latencyRounds: 3, latencySeconds: 6, rates: [500, 1000, 2000], throughputRounds: 4, throughputSeconds: 5, connections: 32,
    warmupSeconds: 3, streamingMiB: 1024, streamingRounds: 2, sseStreams: 20, sseEvents: 20, sseIntervalMs: 10, startups: 10,
    webhookSeconds: 8, webhookSequential: 2000, revocations: 30, decisions: 200_000,
  },
};
