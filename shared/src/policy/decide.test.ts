import { describe, expect, it } from '@jest/globals';
import type { EgressPolicy, EgressPolicyRule } from '../crd/index.js';
import type { Valid } from '../crd/validate/valid.js';
import { validPolicy } from '../testing/valid.js';
import { compileForWorkload } from './compile.js';
import { decide } from './decide.js';
import type { RequestFacts, Workload } from './types.js';

const workload: Workload = {
  namespace: 'team-a',
  serviceAccount: 'reports',
  podName: 'reports-0',
  podUID: 'uid-1',
  labels: { app: 'reports', tier: 'batch' },
};

function policy(
  name: string,
  rules: EgressPolicyRule[],
  opts: { mode?: 'Enforce' | 'Audit'; serviceAccounts?: string[]; labels?: Record<string, string>; namespace?: string } = {},
): Valid<EgressPolicy> {
  return validPolicy({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name, namespace: opts.namespace ?? 'team-a' },
    spec: {
      mode: opts.mode ?? 'Enforce',
      workloads: opts.labels ? { podSelector: { matchLabels: opts.labels } } : { serviceAccounts: opts.serviceAccounts ?? ['reports'] },
      rules,
    },
  });
}

const http = (method: string, path: string, source = 'openai'): RequestFacts => ({ source, method, path, items: [] });
const aws = (items: { action: string; resource: string }[]): RequestFacts => ({
  source: 's3',
  method: 'GET',
  path: '/',
  items,
});

const chatOnly = policy('chat-only', [
  { name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] },
]);

describe('decide', () => {
  it('denies by default when no policy selects the workload', () => {
    const d = decide(compileForWorkload([], workload), http('GET', '/v1/models'));
    expect(d).toMatchObject({ forward: false, effect: 'Deny', reason: 'no EgressPolicy selects this workload for this source' });
  });

  it('allows a call that matches an allow rule and names the policy and rule', () => {
    const d = decide(compileForWorkload([chatOnly], workload), http('POST', '/v1/chat/completions'));
    expect(d).toEqual({
      forward: true,
      effect: 'Allow',
      mode: 'Enforce',
      reason: 'allowed by rule',
      policy: 'team-a/chat-only',
      rule: 'chat',
    });
  });

  it('denies another path of the same source, naming the policy that had no allowing rule', () => {
    const d = decide(compileForWorkload([chatOnly], workload), http('POST', '/v1/files'));
    expect(d).toMatchObject({ forward: false, reason: 'no rule allows it', policy: 'team-a/chat-only' });
  });

  it('denies another method on the allowed path', () => {
    expect(decide(compileForWorkload([chatOnly], workload), http('GET', '/v1/chat/completions')).forward).toBe(false);
  });

  it('does not apply a policy to another service account', () => {
    const other = policy('others', [{ effect: 'Allow', source: 'openai' }], { serviceAccounts: ['billing'] });
    expect(decide(compileForWorkload([other], workload), http('GET', '/v1/models')).reason).toBe(
      'no EgressPolicy selects this workload for this source',
    );
  });

  it('ignores a policy from another namespace even if it names the same service account', () => {
    const foreign = policy('foreign', [{ effect: 'Allow', source: 'openai' }], { namespace: 'team-b' });
    expect(decide(compileForWorkload([foreign], workload), http('GET', '/v1/models')).forward).toBe(false);
  });

  it('selects workloads by pod labels', () => {
    const byLabel = policy('batch', [{ effect: 'Allow', source: 'openai' }], { labels: { tier: 'batch' } });
    const notMe = policy('web', [{ effect: 'Allow', source: 'openai' }], { labels: { tier: 'web' } });
    expect(decide(compileForWorkload([byLabel], workload), http('GET', '/x')).forward).toBe(true);
    expect(decide(compileForWorkload([notMe], workload), http('GET', '/x')).forward).toBe(false);
  });

  it('lets a deny in one policy override an allow in another, whatever their order', () => {
    const allowAll = policy('a-allow-all', [{ effect: 'Allow', source: 'openai' }]);
    const denyFiles = policy('z-deny-files', [{ name: 'no-files', effect: 'Deny', source: 'openai', paths: ['/v1/files/**'] }]);
    for (const set of [[allowAll, denyFiles], [denyFiles, allowAll]]) {
      const d = decide(compileForWorkload(set, workload), http('DELETE', '/v1/files/abc/content'));
      expect(d).toMatchObject({ forward: false, reason: 'denied by rule', policy: 'team-a/z-deny-files', rule: 'no-files' });
    }
  });

  it("applies a '*' source deny rule to every source", () => {
    const set = [
      policy('allow', [{ effect: 'Allow', source: 'github' }]),
      policy('freeze', [{ name: 'no-writes', effect: 'Deny', source: '*', methods: ['POST', 'PUT', 'PATCH', 'DELETE'] }]),
    ];
    const rules = compileForWorkload(set, workload);
    expect(decide(rules, http('POST', '/repos/a/b/issues', 'github'))).toMatchObject({ forward: false, rule: 'no-writes' });
    expect(decide(rules, http('GET', '/repos/a/b/issues', 'github')).forward).toBe(true);
  });

  it('forwards in Audit mode but records the would-deny', () => {
    const audit = policy('observe', [{ effect: 'Allow', source: 'openai', paths: ['/v1/models'] }], { mode: 'Audit' });
    const d = decide(compileForWorkload([audit], workload), http('POST', '/v1/files'));
    expect(d).toMatchObject({ forward: true, effect: 'Deny', mode: 'Audit', reason: 'no rule allows it', policy: 'team-a/observe' });
  });

  it('does not let an Audit policy weaken an Enforce policy on the same source', () => {
    const audit = policy('observe', [{ effect: 'Allow', source: 'openai' }], { mode: 'Audit' });
    const d = decide(compileForWorkload([chatOnly, audit], workload), http('POST', '/v1/files'));
    expect(d).toMatchObject({ forward: false, mode: 'Enforce' });
  });

  describe('AWS actions and resources', () => {
    const readReports = policy('s3-read', [
      { name: 'read', effect: 'Allow', source: 's3', actions: ['s3:Get*', 's3:ListBucket'], resources: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] },
    ]);
    const rules = compileForWorkload([readReports], workload);

    it('allows s3:GetObject on the bucket', () => {
      expect(decide(rules, aws([{ action: 's3:GetObject', resource: 'arn:aws:s3:::reports/q1.csv' }])).forward).toBe(true);
    });

    it('denies s3:DeleteObject when only Get is allowed', () => {
      const d = decide(rules, aws([{ action: 's3:DeleteObject', resource: 'arn:aws:s3:::reports/q1.csv' }]));
      expect(d).toMatchObject({ forward: false, reason: 'no rule allows it', item: { action: 's3:DeleteObject' } });
    });

    it('denies s3:GetObject on another bucket', () => {
      expect(decide(rules, aws([{ action: 's3:GetObject', resource: 'arn:aws:s3:::payroll/x' }])).forward).toBe(false);
    });

    it('denies a copy whose source read is allowed but whose target write is not', () => {
      const d = decide(rules, aws([
        { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/a' },
        { action: 's3:PutObject', resource: 'arn:aws:s3:::reports/b' },
      ]));
      expect(d).toMatchObject({ forward: false, item: { action: 's3:PutObject', resource: 'arn:aws:s3:::reports/b' } });
    });

    it('does not let an action rule match a request without an action', () => {
      expect(decide(rules, http('GET', '/', 's3')).forward).toBe(false);
    });
  });
});

describe('workload selection', () => {
  it('requires a pod to match both serviceAccounts and podSelector when a policy sets both', () => {
    const both = validPolicy({
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'EgressPolicy',
      metadata: { name: 'both', namespace: 'team-a' },
      spec: {
        workloads: { serviceAccounts: ['reports'], podSelector: { matchLabels: { tier: 'web' } } },
        rules: [{ effect: 'Allow', source: 'openai' }],
      },
    });
    expect(decide(compileForWorkload([both], workload), http('GET', '/x')).forward).toBe(false);
    const labelled = { ...workload, labels: { tier: 'web' } };
    expect(decide(compileForWorkload([both], labelled), http('GET', '/x')).forward).toBe(true);
  });
});
