import { describe, expect, it } from '@jest/globals';
import { compileForWorkload, compileLimits, createResourceValidator, NO_HOST_RULES, type EgressPolicy, type EgressPolicyRule } from '@portcullis/shared';
import type { ProxyState } from '../sources/proxy-state.js';
import type { SourceRuntime } from '../sources/runtime.js';
import { TEST_IDENTITY } from '../test-support/harness.js';
import { policy } from '../test-support/resources.js';
import { revocationOf, type TunnelGrant } from './revocation.js';

const validator = createResourceValidator();
const workload = { ...TEST_IDENTITY, labels: {} };
const REALTIME: EgressPolicyRule = { name: 'realtime', effect: 'Allow', source: 'rt', methods: ['GET'], paths: ['/v1/realtime'] };
const source = { name: 'rt', port: 18090 } as SourceRuntime;

function stateOf(policies: EgressPolicy[], sources: Record<number, SourceRuntime> = { 18090: source }): ProxyState {
  const valid = policies.map((p) => {
    const r = validator.validate('EgressPolicy', p);
    if (!r.ok) throw new Error(r.message);
    return r.object;
  });
  return { synced: true, rules: compileForWorkload(valid, workload), limits: compileLimits(valid, workload), hosts: NO_HOST_RULES, source: (port) => sources[port], sourceForHost: () => undefined, problem: () => undefined };
}

const grant: TunnelGrant = { port: 18090, source, podUID: TEST_IDENTITY.podUID, method: 'GET', path: '/v1/realtime', items: [] };
const world = (state: ProxyState, over: Partial<{ identity: typeof TEST_IDENTITY | undefined; podSuspension: string }> = {}): Parameters<typeof revocationOf>[1] => ({
  identity: 'identity' in over ? over.identity : TEST_IDENTITY,
  state,
  podSuspension: over.podSuspension,
});

describe('revocationOf', () => {
  it('keeps a tunnel the upgrade would still be allowed for, and one an edit left allowed', () => {
    expect(revocationOf(grant, world(stateOf([policy('agent', [REALTIME])])))).toBeUndefined();
    expect(revocationOf(grant, world(stateOf([policy('agent', [REALTIME, { effect: 'Allow', source: 'rt', paths: ['/v1/chat/**'] }])])))).toBeUndefined();
  });

  it('keeps a tunnel an Audit-mode policy would deny (audit mode never cuts)', () => {
    expect(revocationOf(grant, world(stateOf([policy('agent', [{ effect: 'Allow', source: 'rt', paths: ['/other'] }], { mode: 'Audit' })])))).toBeUndefined();
  });

  it('cuts when the rules no longer allow GET <path>, or a Deny now matches', () => {
    expect(revocationOf(grant, world(stateOf([policy('agent', [{ effect: 'Allow', source: 'rt', methods: ['POST'], paths: ['/v1/realtime'] }])])))?.code).toBe('POLICY_DENIED');
    expect(revocationOf(grant, world(stateOf([policy('agent', [REALTIME, { effect: 'Deny', source: 'rt', paths: ['/v1/**'] }])])))?.code).toBe('POLICY_DENIED');
    expect(revocationOf(grant, world(stateOf([])))?.code).toBe('POLICY_DENIED');
  });

  it('cuts when the identity is gone or names another pod', () => {
    const state = stateOf([policy('agent', [REALTIME])]);
    expect(revocationOf(grant, world(state, { identity: undefined }))?.code).toBe('IDENTITY_UNAVAILABLE');
    expect(revocationOf(grant, world(state, { identity: { ...TEST_IDENTITY, podUID: 'another-pod' } }))?.code).toBe('IDENTITY_UNAVAILABLE');
  });

  it('cuts when the source on the port was removed or replaced by another runtime', () => {
    expect(revocationOf(grant, world(stateOf([policy('agent', [REALTIME])], {})))?.message).toContain('was removed');
    expect(revocationOf(grant, world(stateOf([policy('agent', [REALTIME])], { 18090: { name: 'rt', port: 18090 } as SourceRuntime })))?.message).toContain('was changed');
  });

  it('cuts on the kill switch: the pod\'s label, or a selecting policy\'s spec.suspend', () => {
    const allowed = policy('agent', [REALTIME]);
    expect(revocationOf(grant, world(stateOf([allowed]), { podSuspension: 'the pod has the label portcullis.dev/suspend=true' }))?.message).toContain('portcullis.dev/suspend=true');
    const suspended = revocationOf(grant, world(stateOf([{ ...allowed, spec: { ...allowed.spec, suspend: true } }])));
    expect(suspended?.code).toBe('SUSPENDED');
    expect(suspended?.message).toContain('spec.suspend: true');
  });
});
