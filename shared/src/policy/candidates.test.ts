import { describe, expect, it } from '@jest/globals';
import type { EgressPolicy, EgressPolicyRule } from '../crd/index.js';
import type { Valid } from '../crd/validate/valid.js';
import { beyondCrdBounds } from '../testing/valid.js';
import { NO_FILTER } from './candidates.js';
import { compileForWorkload, type RuleIndex, type WorkloadRules } from './compile.js';
import { decide } from './decide.js';
import type { RequestFacts, RequestItem, Workload } from './types.js';
import { prng } from '../testing/prng.js';

const workload: Workload = { namespace: 'ns', serviceAccount: 'app', podName: 'app-0', podUID: 'uid', labels: {} };

// Up to 1,000 rules per policy and globs the CRD's rules refuse: the engine's behaviour, not the validator's.
function policy(name: string, rules: EgressPolicyRule[]): Valid<EgressPolicy> {
  return beyondCrdBounds({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name, namespace: 'ns' },
    spec: { workloads: { serviceAccounts: ['app'] }, rules },
  });
}

/** The same compiled rules, decided by scanning every rule (what decide did before the filter). */
function unfiltered(rules: WorkloadRules): WorkloadRules {
  const strip = (i: RuleIndex): RuleIndex => ({ forSource: (s) => i.forSource(s), policiesFor: (s) => i.policiesFor(s), filterFor: () => NO_FILTER });
  return { enforce: strip(rules.enforce), audit: strip(rules.audit) };
}

// Deliberately tricky pieces: case variants, wildcards in every position, non-ASCII look-alikes
// (Kelvin sign, final sigma, dotted I) and characters that are special in regular expressions.
const SEGMENTS = ['v1', 'V1', 'chat', 'tenants', 't1', 't10', 'x.y', 'a+b', 'é', 'ς', 'σ', 'İ', 'K', 'k', ''];
const PATH_PIECES = [...SEGMENTS, '*', '**', 't*', '*1', 'c*t'];
const ACTIONS = ['s3:GetObject', 's3:getobject', 'S3:Get*', 's3:*', '*:Delete*', 'dynamodb:Get?tem', 'dynamodb:GetItem', 'sqs:Send*', '*', 'dynamodb:Query', 'kms:Decrypt', 'ß3:Get*'];
const RESOURCES = ['arn:aws:s3:::b1/*', 'arn:aws:s3:::b1/k', 'arn:aws:dynamodb:*:1:table/t1', 'arn:aws:dynamodb:*:*:table/*', '*', 'arn:aws:s3:::b?/*', 'arn:aws:s3:::b1/é*'];

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const some = <T>(rnd: () => number, xs: readonly T[], max: number): T[] => Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(rnd, xs));

function randomPath(rnd: () => number, pieces: readonly string[]): string {
  return `/${some(rnd, pieces, 4).join('/')}`;
}

/** How often a rule constrains each dimension; the filter only indexes a dimension most rules constrain. */
interface Mix {
  readonly paths: number;
  readonly actions: number;
  readonly resources: number;
}

function randomRule(rnd: () => number, i: number, mix: Mix): EgressPolicyRule {
  const rule: EgressPolicyRule = { name: `r${i}`, effect: rnd() < 0.2 ? 'Deny' : 'Allow', source: rnd() < 0.05 ? '*' : pick(rnd, ['api', 'aws']) };
  if (rnd() < mix.paths) rule.paths = some(rnd, [...Array.from({ length: 6 }, () => randomPath(rnd, PATH_PIECES)), '/**'], 2);
  if (rnd() < 0.3) rule.methods = some(rnd, ['GET', 'POST', '*'], 2);
  if (rnd() < mix.actions) rule.actions = some(rnd, ACTIONS, 2);
  if (rnd() < mix.resources) rule.resources = some(rnd, RESOURCES, 2);
  return rule;
}

function randomFacts(rnd: () => number): RequestFacts {
  // \u212a is the Kelvin sign: its toLowerCase() is an ASCII k, so a literal glob's test accepts it for k.
  const concreteActions = ['s3:GetObject', 'S3:GETOBJECT', 'dynamodb:GetItem', 'sqs:SendMessage', 's3:DeleteObject', 'ſ3:GetObject', 'kms:Decrypt', '\u212ams:Decrypt'];
  const concreteResources = ['arn:aws:s3:::b1/k', 'arn:aws:s3:::b2/x', 'arn:aws:dynamodb:us-east-1:1:table/t1', 'arn:aws:s3:::b1/éa'];
  const items: RequestItem[] = rnd() < 0.4 ? [] : Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({
    ...(rnd() < 0.9 ? { action: pick(rnd, concreteActions) } : {}),
    ...(rnd() < 0.8 ? { resource: pick(rnd, concreteResources) } : {}),
  }));
  return { source: pick(rnd, ['api', 'aws', 'other']), method: pick(rnd, ['GET', 'POST', 'PUT']), path: randomPath(rnd, SEGMENTS), items };
}

describe('rule filter', () => {
  it('decides exactly like a full scan of every rule, for random policies and requests', () => {
    const levels = [0.5, 0.9, 1];
    let narrowed = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      const mix: Mix = { paths: levels[seed % 3] as number, actions: levels[Math.floor(seed / 3) % 3] as number, resources: levels[Math.floor(seed / 9) % 3] as number };
      const rules = Array.from({ length: 20 + Math.floor(rnd() * 200) }, (_, i) => randomRule(rnd, i, mix));
      const compiled = compileForWorkload([policy('a', rules.slice(0, rules.length >> 1)), policy('b', rules.slice(rules.length >> 1))], workload);
      const reference = unfiltered(compiled);
      for (let q = 0; q < 300; q++) {
        const facts = randomFacts(rnd);
        const n = compiled.enforce.forSource(facts.source).length;
        const positions = compiled.enforce.filterFor(facts.source).candidates(facts.path, facts.items[0] ?? {});
        if (positions !== undefined && positions.length < n) narrowed++;
        const got = decide(compiled, facts);
        const want = decide(reference, facts);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          throw new Error(`seed ${seed}, request ${JSON.stringify(facts)}: filtered ${JSON.stringify(got)} != full scan ${JSON.stringify(want)}`);
        }
      }
    }
    // The comparison means something only if the filter did narrow: most requests here skip most rules.
    expect(narrowed).toBeGreaterThan(5000);
  });

  it('still finds a deny rule that sits among 1,000 allow rules', () => {
    const allows: EgressPolicyRule[] = Array.from({ length: 1000 }, (_, i) => ({ name: `t${i}`, effect: 'Allow', source: 'api', paths: [`/v1/tenants/t${i}/**`] }));
    const deny: EgressPolicyRule = { name: 'no-admin', effect: 'Deny', source: 'api', paths: ['/v1/tenants/*/admin/**'] };
    const rules = compileForWorkload([policy('p', [...allows.slice(0, 500), deny, ...allows.slice(500)])], workload);
    expect(decide(rules, { source: 'api', method: 'GET', path: '/v1/tenants/t999/admin/keys', items: [] })).toMatchObject({ forward: false, rule: 'no-admin' });
    expect(decide(rules, { source: 'api', method: 'GET', path: '/v1/tenants/t999/items', items: [] })).toMatchObject({ forward: true, rule: 't999' });
    expect(decide(rules, { source: 'api', method: 'GET', path: '/v1/tenants/t9999/items', items: [] })).toMatchObject({ forward: false, reason: 'no rule allows it' });
  });

  it('matches actions case-insensitively through the index, as IAM does', () => {
    const rules: EgressPolicyRule[] = Array.from({ length: 100 }, (_, i) => ({ name: `r${i}`, effect: 'Allow', source: 'aws', actions: [`svc${i}:Get*`] }));
    const compiled = compileForWorkload([policy('p', rules)], workload);
    expect(decide(compiled, { source: 'aws', method: 'POST', path: '/', items: [{ action: 'SVC42:getthing' }] })).toMatchObject({ forward: true, rule: 'r42' });
  });
});
