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
}

/**
 * /readyz: ready means a valid identity and policies loaded once. Rejected objects and unusable
 * credentials are listed but never make the sidecar unready: the other sources keep serving (docs/sidecar.md).
 */
export function readinessOf(state: SidecarState, mode: Mode): () => Readiness {
  return () => {
    const reasons: string[] = [];
    if (!mode.identity()) reasons.push(`identity: ${mode.identityProblem() ?? 'not verified'}`);
    const sync = state.syncProblem();
    if (sync) reasons.push(`policies: ${sync}`);
    return { ready: reasons.length === 0, reasons, rejected: state.rejected(), credentials: state.credentialProblems() };
  };
}
