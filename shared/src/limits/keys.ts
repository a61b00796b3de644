import type { Workload } from '../policy/types.js';

import type { LimitScope } from '../crd/index.js';

export type { LimitScope };

/**
 * The counter key of a limit for a workload: the policy (namespace/name) and limit name, then who shares
 * it — the pod (by UID, so a pod of the same name later starts fresh), the service account, or every
 * workload the policy selects. Names are DNS labels or subdomains, so ":" cannot be forged into a key.
 */
export function limitKey(policy: string, limit: string, scope: LimitScope, workload: Workload): string {
  const base = `portcullis:${policy}:${limit}`;
  switch (scope) {
    case 'Pod':
      return `${base}:pod:${workload.podUID || `${workload.namespace}/${workload.podName}`}`;
    case 'ServiceAccount':
      return `${base}:sa:${workload.serviceAccount}`;
    default:
      return `${base}:ns`;
  }
}
