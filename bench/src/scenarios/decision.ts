// Policy decision time with 1,000 rules: compileForWorkload once, then decide() timed one call at a time
// with process.hrtime.bigint(). Deny overrides allow, so a decision must look at every rule that could
// match; the cases below are the expensive ones (allow by the last rule, default deny) plus AWS items.
import { compileForWorkload, decide, type EgressPolicy, type EgressPolicyRule, type RequestFacts, type Valid, type Workload } from '@portcullis/shared';
import { percentile } from '../lib/stats.ts';
import type { Profile } from '../profile.ts';

const WORKLOAD: Workload = { namespace: 'bench', serviceAccount: 'agent', podName: 'agent-0', podUID: 'uid', labels: { app: 'agent' } };

// 1,000 rules in one policy, beyond the CRD's 256: the engine is measured here, not the validator.
function policy(name: string, rules: EgressPolicyRule[]): Valid<EgressPolicy> {
  const unchecked: EgressPolicy = {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name, namespace: 'bench' },
    spec: { workloads: { serviceAccounts: ['agent'] }, rules },
  };
  return unchecked as Valid<EgressPolicy>;
}

interface Case {
  readonly name: string;
  readonly description: string;
  readonly policies: Valid<EgressPolicy>[];
  readonly facts: RequestFacts;
  readonly expectForward: boolean;
}

function cases(): Case[] {
  const http = (i: number): EgressPolicyRule => ({ name: `tenant-${i}`, effect: 'Allow', source: 'api', methods: ['GET', 'POST'], paths: [`/v1/tenants/t${i}/**`] });
  const httpRules = Array.from({ length: 1000 }, (_, i) => http(i));
  const aws = (i: number): EgressPolicyRule =>
    i % 2
      ? { name: `table-${i}`, effect: 'Allow', source: 'aws', actions: ['dynamodb:Get*', 'dynamodb:Query'], resources: [`arn:aws:dynamodb:*:123456789012:table/t${i}`] }
      : { name: `bucket-${i}`, effect: 'Allow', source: 'aws', actions: ['s3:GetObject', 's3:PutObject'], resources: [`arn:aws:s3:::bucket-${i}/*`] };
  const awsRules = [{ name: 'no-delete', effect: 'Deny', source: 'aws', actions: ['*:Delete*'] } as EgressPolicyRule, ...Array.from({ length: 999 }, (_, i) => aws(i + 1))];
  const sources = ['api', 'openai', 'github', 'stripe', 'aws', 'gitlab', 'mistral', 'anthropic', 'vault', 'internal'];
  const spread = Array.from({ length: 100 }, (_, p) =>
    policy(`team-${String(p).padStart(3, '0')}`, Array.from({ length: 10 }, (_, r) => ({ name: `r${r}`, effect: 'Allow', source: sources[(p + r) % 10] as string, methods: ['GET'], paths: [`/v${r}/team-${p}/**`] }))),
  );
  return [
    {
      name: 'http-allow-last', description: '1,000 path rules on one source; the request matches the last one',
      policies: [policy('tenants', httpRules)], facts: { source: 'api', method: 'GET', path: '/v1/tenants/t999/items/42', items: [] }, expectForward: true,
    },
    {
      name: 'http-default-deny', description: '1,000 path rules on one source; none matches (deny)',
      policies: [policy('tenants', httpRules)], facts: { source: 'api', method: 'GET', path: '/v2/other/thing', items: [] }, expectForward: false,
    },
    {
      name: 'aws-allow-last', description: '1 deny + 999 action/ARN-glob rules; GetItem on the last table',
      policies: [policy('aws', awsRules)],
      facts: { source: 'aws', method: 'POST', path: '/', items: [{ action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/t999' }] }, expectForward: true,
    },
    {
      name: 'spread-100x10', description: '100 policies × 10 rules over 10 sources (100 rules for the source asked)',
      policies: spread, facts: { source: 'api', method: 'GET', path: '/v0/team-0/x', items: [] }, expectForward: true,
    },
  ];
}

export interface DecisionCase {
  readonly name: string;
  readonly description: string;
  readonly rules: number;
  readonly compileMs: number;
  readonly decisions: number;
  /** Per decision, µs, timer overhead not subtracted. */
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export interface DecisionResult {
  readonly timerOverheadUs: number;
  readonly cases: readonly DecisionCase[];
}

function time(n: number, fn: () => unknown): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return out.sort();
}

export function decisionScenario(profile: Profile, log: (line: string) => void): DecisionResult {
  const timerOverheadUs = percentile(time(profile.decisions, () => undefined), 50);
  const out: DecisionCase[] = [];
  for (const c of cases()) {
    const t0 = performance.now();
    const rules = compileForWorkload(c.policies, WORKLOAD);
    const compileMs = performance.now() - t0;
    const d = decide(rules, c.facts);
    if (d.forward !== c.expectForward) throw new Error(`decision case ${c.name}: expected forward=${c.expectForward}, got ${JSON.stringify(d)}`);
    time(Math.ceil(profile.decisions / 5), () => decide(rules, c.facts));
    const t = time(profile.decisions, () => decide(rules, c.facts));
    const r: DecisionCase = {
      name: c.name, description: c.description, rules: c.policies.reduce((a, p) => a + (p.spec.rules?.length ?? 0), 0), compileMs, decisions: profile.decisions,
      p50Us: percentile(t, 50), p90Us: percentile(t, 90), p99Us: percentile(t, 99), maxUs: t[t.length - 1] as number,
    };
    out.push(r);
    log(`decision ${c.name}: p50 ${r.p50Us.toFixed(2)} µs, p99 ${r.p99Us.toFixed(2)} µs (compile ${compileMs.toFixed(1)} ms)`);
  }
  return { timerOverheadUs, cases: out };
}
