import { describe, expect, it } from '@jest/globals';
import type { EgressPolicy } from '../crd/index.js';
import { createResourceValidator } from '../crd/validate/validate-resource.js';
import type { Valid } from '../crd/validate/valid.js';
import { compileForWorkload } from './compile.js';
import { decide } from './decide.js';
import type { Workload } from './types.js';

const agent: Workload = { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-0', podUID: 'u', labels: {} };
const admin = { source: 'api', method: 'GET', path: '/admin/cfg', items: [] };

const typo = {
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'EgressPolicy',
  metadata: { name: 'admins', namespace: 'team-a' },
  // A string, not a list: "agent" is a substring of it.
  spec: { workloads: { serviceAccounts: 'platform-agent-admins' }, rules: [{ effect: 'Allow', source: 'api', paths: ['/admin/**'] }] },
};

describe('compileForWorkload', () => {
  it('a string serviceAccounts never selects a service account by substring', () => {
    // The validator refuses it, so it never reaches the engine …
    const result = createResourceValidator().validate('EgressPolicy', typo);
    expect(result.ok).toBe(false);
    // … and had it been forced through, the engine would still select nobody.
    const forced = typo as unknown as Valid<EgressPolicy>;
    expect(decide(compileForWorkload([forced], agent), admin)).toMatchObject({ forward: false, reason: 'no EgressPolicy selects this workload for this source' });
    const exact = createResourceValidator().validate('EgressPolicy', { ...typo, spec: { ...typo.spec, workloads: { serviceAccounts: ['platform-agent-admins', 'agent'] } } });
    if (!exact.ok) throw new Error(exact.message);
    expect(decide(compileForWorkload([exact.object], agent), admin).forward).toBe(true);
  });
});
