import type { OriginDeps } from '../origin.js';
import { roleSessionName } from './session-name.js';

/** The session name STS calls of this pod use; undefined until the pod identity is verified. */
export function sessionNameOf(deps: Pick<OriginDeps, 'workload'>): string | undefined {
  return deps.workload ? roleSessionName(deps.workload) : undefined;
}
