import { PortcullisError } from '@portcullis/shared';
import type { Decision } from '../deps.js';

function why(d: Decision, source: string): string {
  const where = d.policy ? `EgressPolicy ${d.policy}` : 'no EgressPolicy';
  switch (d.reason) {
    case 'denied by rule':
      return `denied by rule "${d.rule ?? ''}" of ${where}`;
    case 'no rule allows it':
      return `no rule of ${where} allows it`;
    default:
      return `no EgressPolicy selects this workload for source "${source}"`;
  }
}

/** POLICY_DENIED naming what was denied (method and path, or AWS action and resource) and which policy. */
export function denialError(method: string, path: string, d: Decision, source: string): PortcullisError {
  const what = d.item?.action ? `${d.item.action} on ${d.item.resource ?? '*'}` : `${method} ${path}`;
  return new PortcullisError(
    'POLICY_DENIED',
    `Portcullis denied ${what} to source "${source}": ${why(d, source)}; ask for an Allow rule in an EgressPolicy that selects this workload`,
  );
}
