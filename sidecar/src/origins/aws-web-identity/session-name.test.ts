import { describe, expect, it } from '@jest/globals';
import { roleSessionName } from './session-name.js';

const VALID = /^[\w+=,.@-]{2,64}$/;

describe('roleSessionName', () => {
  it('names the pod plainly when it fits: namespace.serviceaccount.pod', () => {
    expect(roleSessionName({ namespace: 'team-a', serviceAccount: 'reports', podName: 'reports-7f9c-x2' })).toBe('team-a.reports.reports-7f9c-x2');
  });

  it('cuts long names to 64 characters with a hash of the full identity, deterministically', () => {
    const w = { namespace: 'payments-production-eu', serviceAccount: 'settlement-batch-runner', podName: 'settlement-batch-runner-28811520-abcde' };
    const name = roleSessionName(w);
    expect(name).toMatch(VALID);
    expect(name).toHaveLength(64);
    expect(name.startsWith('payments-production-eu.settlement-batch-runner.')).toBe(true);
    expect(roleSessionName({ ...w })).toBe(name);
    expect(roleSessionName({ ...w, podName: 'settlement-batch-runner-28811520-abcdf' })).not.toBe(name);
  });

  it('does not give two workloads the same name when dots blur where the parts split', () => {
    const a = roleSessionName({ namespace: 'ns', serviceAccount: 'a.b', podName: 'c' });
    const b = roleSessionName({ namespace: 'ns', serviceAccount: 'a', podName: 'b.c' });
    expect(a).not.toBe(b);
    expect(a).toMatch(/@[0-9a-f]{10}$/);
    expect(b).toBe('ns.a.b.c');
  });

  it('replaces characters STS refuses', () => {
    const name = roleSessionName({ namespace: 'ns', serviceAccount: 'sa', podName: 'pod/with spaces' });
    expect(name).toMatch(VALID);
    expect(name.startsWith('ns.sa.pod_with_spaces@')).toBe(true);
  });
});
