import { describe, expect, it } from '@jest/globals';
import { createResourceValidator, decide } from '@portcullis/shared';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { batchOf, candidateOf } from './candidates.js';
import { SidecarState } from './state.js';
import { systemClock } from '../io/clock.js';
import { nodeFiles } from '../io/files.js';

const clock = systemClock();

const validator = createResourceValidator();
const fromApi = (...objects: unknown[]): ReturnType<typeof batchOf<'EgressPolicy'>> =>
  batchOf('EgressPolicy', objects.map((o) => candidateOf('EgressPolicy', o, 'api', validator)));
const policy = (name: string, spec: unknown): object => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name, namespace: 'team-a', resourceVersion: '1' }, spec });
const allow = (path: string): object => ({ workloads: { serviceAccounts: ['agent'] }, rules: [{ effect: 'Allow', source: 'api', paths: [path] }] });

describe('SidecarState with objects from the API', () => {
  it('keeps the last valid version of an object the API now serves invalid, and drops it once deleted', async () => {
    let logs = '';
    const state = new SidecarState({
      sourceFilter: undefined, secretsDir: '/nonexistent', stsTokenFile: '/nonexistent', vaultJwtFile: '/nonexistent', vaultTokenFile: undefined, originTokensDir: '/nonexistent', credentialPollIntervalMs: 1000, labels: {},
      metrics: createMetrics({ defaultMetrics: false }), log: createLogger('info', { write: (s: string) => void (logs += s) }), clock, files: nodeFiles(clock),
    });
    await state.setIdentity({ namespace: 'team-a', serviceAccount: 'agent', podName: 'p', podUID: 'u' });
    const allowed = (path: string): boolean => decide(state.snapshot().rules, { source: 'api', method: 'GET', path, items: [] }).forward;

    await state.applyPolicies(fromApi(policy('p', allow('/v1/**'))));
    expect(allowed('/v1/x')).toBe(true);
    // A CRD older than the sidecar's let this through: a string, where a list belongs.
    await state.applyPolicies(fromApi(policy('p', { workloads: { serviceAccounts: 'agent' }, rules: [{ effect: 'Allow', source: 'api' }] })));
    expect(allowed('/v1/x')).toBe(true);
    expect(allowed('/admin')).toBe(false);
    expect(state.rejected()).toEqual([expect.stringMatching(/^EgressPolicy team-a\/p from api: The EgressPolicy "p" is invalid: .*\(in force: last valid version\)$/)]);
    expect(logs).toMatch(/"code":"RESOURCE_INVALID".*"field":"spec.workloads.serviceAccounts"/);
    expect(logs).not.toMatch(/"file":/);
    await state.applyPolicies(fromApi());
    expect(allowed('/v1/x')).toBe(false);
    expect(state.rejected()).toEqual([]);
    await state.close();
  });
});
