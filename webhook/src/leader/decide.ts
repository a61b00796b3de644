import type { V1Lease } from '@kubernetes/client-node';

/** What this replica saw of the Lease and when, on its own clock (never compare another node's clock). */
export interface Observation {
  readonly record: string;
  readonly atMs: number;
}

export type LeaseAction = 'create' | 'renew' | 'acquire' | 'follow';

export interface LeaseDecision {
  readonly action: LeaseAction;
  readonly observation: Observation | undefined;
}

const recordOf = (lease: V1Lease): string =>
  JSON.stringify([lease.spec?.holderIdentity ?? '', String(lease.spec?.renewTime ?? ''), lease.spec?.leaseTransitions ?? 0]);

/**
 * client-go's rule: a Lease held by someone else is expired when its record has not changed for
 * leaseDurationSeconds as measured on this replica's clock since it last saw it change.
 */
export function decideLease(lease: V1Lease | undefined, identity: string, nowMs: number, previous: Observation | undefined): LeaseDecision {
  if (!lease) return { action: 'create', observation: undefined };
  const record = recordOf(lease);
  const observation = previous?.record === record ? previous : { record, atMs: nowMs };
  const holder = lease.spec?.holderIdentity ?? '';
  if (holder === identity) return { action: 'renew', observation };
  if (holder === '') return { action: 'acquire', observation };
  const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
  return { action: nowMs - observation.atMs > durationMs ? 'acquire' : 'follow', observation };
}
