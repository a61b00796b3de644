import { describe, expect, it } from '@jest/globals';
import type { EgressHostRule, EgressPolicy } from '../../crd/index.js';
import type { Valid } from '../../crd/validate/valid.js';
import { createResourceValidator } from '../../crd/validate/validate-resource.js';
import type { Workload } from '../types.js';
import { compileHostRules } from './compile-hosts.js';
import { decideHost } from './decide-host.js';
import { hostGlob, normalizeHost } from './host-glob.js';

const agent: Workload = { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-0', podUID: 'u', labels: {} };
const validator = createResourceValidator();
const validate = (obj: unknown): { valid: boolean; errors: readonly string[]; object: unknown } => {
  const r = validator.validate('EgressPolicy', obj);
  return r.ok ? { valid: true, errors: [], object: r.object } : { valid: false, errors: r.errors, object: undefined };
};

function policy(name: string, egress: EgressHostRule[], mode: 'Enforce' | 'Audit' = 'Enforce', serviceAccounts = ['agent']): Valid<EgressPolicy> {
  const obj = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name, namespace: 'team-a' }, spec: { mode, workloads: { serviceAccounts }, egress } };
  const r = validate(obj);
  if (!r.valid) throw new Error(r.errors.join('; '));
  return r.object as Valid<EgressPolicy>;
}

const at = (host: string, port = 443): { host: string; port: number } => ({ host: normalizeHost(host) ?? 'invalid', port });

describe('host globs', () => {
  it('matches "*.domain" below the domain only, at any depth, case-insensitively', () => {
    const g = hostGlob('*.GitHub.com');
    expect(['api.github.com', 'a.b.github.com', 'API.GITHUB.COM.'].map((h) => g.test(normalizeHost(h) ?? ''))).toEqual([true, true, true]);
    expect(['github.com', 'evilgithub.com', 'github.com.evil.io', 'xgithub.com'].map((h) => g.test(normalizeHost(h) ?? ''))).toEqual([false, false, false, false]);
  });

  it('refuses targets that are no host (userinfo, spaces, empty, bracketed names)', () => {
    expect(['evil.com@127.0.0.1', 'a b', '', '[evil.com]', 'a/b', 'a%2e.com'].map(normalizeHost)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(normalizeHost('[::1]')).toBe('::1');
  });
});

describe('decideHost', () => {
  it('allows a listed host on 443 and refuses it on another port unless the rule lists that port', () => {
    const rules = compileHostRules([policy('p', [{ name: 'gh', effect: 'Allow', hosts: ['api.github.com'] }, { name: 'alt', effect: 'Allow', hosts: ['pypi.org'], ports: [8443] }])], agent);
    expect(decideHost(rules, at('api.github.com'))).toMatchObject({ forward: true, effect: 'Allow', rule: 'gh', policy: 'team-a/p', namesHost: true });
    expect(decideHost(rules, at('api.github.com', 22))).toMatchObject({ forward: false, reason: 'no rule allows it', policy: 'team-a/p' });
    expect(decideHost(rules, at('pypi.org', 8443))).toMatchObject({ forward: true, rule: 'alt' });
    expect(decideHost(rules, at('pypi.org'))).toMatchObject({ forward: false });
  });

  it('denies by default when no policy has egress rules for the workload', () => {
    const other = compileHostRules([policy('p', [{ effect: 'Allow', hosts: ['*'] }], 'Enforce', ['someone-else'])], agent);
    expect(decideHost(other, at('example.com'))).toMatchObject({ forward: false, mode: 'Enforce', reason: 'no EgressPolicy has egress rules for this workload' });
  });

  it('lets a Deny rule in one policy win over an Allow in another', () => {
    const rules = compileHostRules([policy('a', [{ effect: 'Allow', hosts: ['*'] }]), policy('b', [{ name: 'no-paste', effect: 'Deny', hosts: ['*.pastebin.com'] }])], agent);
    expect(decideHost(rules, at('x.pastebin.com'))).toMatchObject({ forward: false, reason: 'denied by rule', rule: 'no-paste', policy: 'team-a/b' });
    expect(decideHost(rules, at('example.org'))).toMatchObject({ forward: true, namesHost: false });
  });

  it('logs a would-deny in Audit mode and opens the tunnel; Enforce policies alone decide when present', () => {
    const audit = compileHostRules([policy('watch', [{ effect: 'Allow', hosts: ['pypi.org'] }], 'Audit')], agent);
    expect(decideHost(audit, at('example.com'))).toMatchObject({ forward: true, effect: 'Deny', mode: 'Audit' });
    const both = compileHostRules([policy('watch', [{ effect: 'Allow', hosts: ['*'] }], 'Audit'), policy('strict', [{ effect: 'Allow', hosts: ['pypi.org'] }])], agent);
    expect(decideHost(both, at('example.com'))).toMatchObject({ forward: false, mode: 'Enforce' });
  });

  it('says the host is named only when an exact glob allowed it (what guarded addresses need)', () => {
    const rules = compileHostRules([policy('p', [{ name: 'any', effect: 'Allow', hosts: ['*'] }, { name: 'meta', effect: 'Allow', hosts: ['169.254.169.254'] }])], agent);
    expect(decideHost(rules, at('169.254.169.254'))).toMatchObject({ forward: true, rule: 'meta', namesHost: true });
    expect(decideHost(rules, at('metadata.internal'))).toMatchObject({ forward: true, rule: 'any', namesHost: false });
  });

  it('ignores source rules: a policy with only rules has no say over tunnels', () => {
    const obj = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'src', namespace: 'team-a' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ effect: 'Allow', source: '*' }] } };
    const r = validate(obj);
    expect(r.valid).toBe(true);
    expect(decideHost(compileHostRules([r.object as Valid<EgressPolicy>], agent), at('example.com'))).toMatchObject({ forward: false });
  });
});

describe('EgressPolicy egress schema', () => {
  it('refuses a policy with neither rules nor egress, and host globs with a wildcard inside a name', () => {
    const none = validate({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'p', namespace: 'n' }, spec: { workloads: { serviceAccounts: ['a'] } } });
    expect(none.valid).toBe(false);
    expect(none.errors).toEqual(['spec.rules: Required value: spec must set rules (calls through CredentialSources), egress (tunnels to hosts without a source, in HTTPS_PROXY mode) or both']);
    const bad = validate({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'p', namespace: 'n' }, spec: { workloads: { serviceAccounts: ['a'] }, egress: [{ effect: 'Allow', hosts: ['api.*.com'] }] } });
    expect(bad.errors.join('\n')).toContain('host "api.*.com" is not a host glob');
  });
});
