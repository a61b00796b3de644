import { describe, expect, it } from '@jest/globals';
import type { V1Lease } from '@kubernetes/client-node';
import { decideLease } from './decide.js';

const lease = (holder: string, renew = '2026-01-01T00:00:00Z'): V1Lease => ({
  metadata: { name: 'l' },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: new Date(renew), leaseTransitions: 0 },
});

describe('decideLease', () => {
  it('creates a missing Lease', () => {
    expect(decideLease(undefined, 'me', 0, undefined).action).toBe('create');
  });

  it('renews its own Lease and acquires a released one', () => {
    expect(decideLease(lease('me'), 'me', 0, undefined).action).toBe('renew');
    expect(decideLease(lease(''), 'me', 0, undefined).action).toBe('acquire');
  });

  it('follows a live holder and takes over once the record stops changing for the lease duration', () => {
    const first = decideLease(lease('other'), 'me', 1_000, undefined);
    expect(first.action).toBe('follow');
    expect(decideLease(lease('other'), 'me', 15_000, first.observation).action).toBe('follow');
    expect(decideLease(lease('other'), 'me', 16_001, first.observation).action).toBe('acquire');
  });

  it('does not take over a holder that keeps renewing, whatever its clock says', () => {
    let obs = decideLease(lease('other', '1999-01-01T00:00:00Z'), 'me', 0, undefined).observation;
    for (let t = 10_000; t < 60_000; t += 10_000) {
      const d = decideLease(lease('other', new Date(Date.UTC(1999, 0, 1, 0, 0, t / 1000)).toISOString()), 'me', t, obs);
      expect(d.action).toBe('follow');
      obs = d.observation;
    }
  });
});
