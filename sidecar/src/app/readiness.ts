import type { SidecarState } from '../store/state.js';
import type { Mode } from './mode.js';

export interface Readiness {
  readonly ready: boolean;
  /** What keeps the sidecar from serving: no identity, policies not loaded. */
  readonly reasons: string[];
  /** Invalid objects and files, and what stays in force for each. */
  readonly rejected: string[];
  /** Sources whose credential cannot be used right now. */
  readonly credentials: string[];
  /** Source ports listened on right now (a port another process holds is missing here and logged). */
  readonly ports: number[];
}

/**
 * /readyz: ready means a valid identity and policies loaded once. Rejected objects and unusable
 * credentials are listed but never make the sidecar unready: the other sources keep serving (docs/sidecar.md).
 * `ports` says which source ports are open, so that a process outside can tell when a source serves.
 */
export function readinessOf(state: SidecarState, mode: Mode, ports: () => number[]): () => Readiness {
  return () => {
    const reasons: string[] = [];
    if (!mode.identity()) reasons.push(`identity: ${mode.identityProblem() ?? 'not verified'}`);
    const sync = state.syncProblem();
    if (sync) reasons.push(`policies: ${sync}`);
    return { ready: reasons.length === 0, reasons, rejected: state.rejected(), credentials: state.credentialProblems(), ports: ports() };
  };
}
