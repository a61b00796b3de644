import type { HostRules, WorkloadLimits } from '@portcullis/shared';
import type { WorkloadRules } from '../deps.js';
import type { SourceRuntime } from './runtime.js';

/**
 * The live state a request is decided against: the store builds it (store/state.ts), the handler reads
 * it once per request (proxy/handler.ts); it is swapped whole on every change, never edited.
 */
export interface ProxyState {
  readonly synced: boolean;
  readonly rules: WorkloadRules;
  /** Limits, budgets and policy-level suspension for this workload (compiled with the rules). */
  readonly limits: WorkloadLimits;
  /** The spec.egress rules for this workload: tunnels to hosts no source serves (HTTPS_PROXY port). */
  readonly hosts: HostRules;
  source(port: number): SourceRuntime | undefined;
  /**
   * The source that serves `host` (normalized) in proxy mode: its TLS is terminated with the pod CA and
   * its requests run through that source's pipeline. http sources serve their upstream's host, aws
   * sources every *.amazonaws.com name.
   */
  sourceForHost(host: string): SourceRuntime | undefined;
  /** Why a port has no usable source (bad spec, port clash); undefined when unknown. */
  problem(port: number): string | undefined;
}
