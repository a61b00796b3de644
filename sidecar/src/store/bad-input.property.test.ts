// Property: bad input never widens access. Random valid EgressPolicies plus random ill-typed or otherwise
// invalid ones (type confusion, misspelt fields, nulls, bad enums, empty lists) go through the sidecar's
// pipeline (validate each alone → batch → in force → compile → decide); for any workload and request the
// decision is exactly the one without the invalid objects — so never more permissive.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compileForWorkload, createResourceValidator, decide, type Decision, type RequestFacts, type Workload } from '@portcullis/shared';
import { batchOf, candidateOf } from './candidates.js';
import { inForce } from './last-known-good.js';

type Json = Record<string, unknown>;

const validator = createResourceValidator();
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

const ruleArb = fc.record(
  {
    name: fc.constantFrom('r1', 'r2', 'r3'),
    effect: fc.constantFrom('Allow', 'Deny'),
    source: fc.constantFrom('api', 'other', '*'),
    methods: fc.uniqueArray(fc.constantFrom('GET', 'POST', 'DELETE'), { minLength: 1, maxLength: 3 }),
    paths: fc.uniqueArray(fc.constantFrom('/v1/**', '/admin/**', '/v1/models', '/*', '/v2/*/x'), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['effect', 'source'] },
);

const workloadsArb = fc.oneof(
  fc.record({ serviceAccounts: fc.uniqueArray(fc.constantFrom('agent', 'other', 'platform-agent-admins'), { minLength: 1, maxLength: 3 }) }),
  fc.record({ podSelector: fc.constantFrom({}, { matchLabels: { app: 'agent' } }, { matchLabels: { app: 'web' } }) }),
);

const specArb = fc.record(
  {
    mode: fc.constantFrom('Enforce', 'Audit'),
    workloads: workloadsArb,
    // Rule names unique within the policy (a CEL rule of the CRD): keep one rule per name.
    rules: fc.uniqueArray(ruleArb, { minLength: 1, maxLength: 4, selector: (r) => r.name ?? Symbol() }),
  },
  { requiredKeys: ['workloads', 'rules'] },
);

const policy = (name: string, spec: unknown): Json => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name, namespace: 'team-a' }, spec });

/** Ways to break a valid spec, each of which the CRD refuses; most would widen access if taken at face value. */
const BREAKS: readonly ((spec: Json) => Json)[] = [
  (s) => ({ ...s, workloads: { serviceAccounts: 'platform-agent-admins' } }),
  (s) => ({ ...s, workloads: { serviceAccounts: [1] } }),
  (s) => ({ ...s, workloads: {} }),
  (s) => ({ ...s, rules: 'allow everything' }),
  (s) => ({ ...s, rules: [] }),
  (s) => ({ ...s, rules: ['Allow'] }),
  (s) => ({ ...s, rules: [{ effect: 'Allow', source: 'api', paths: null }] }),
  (s) => ({ ...s, rules: [{ effect: 'Allow', source: 'api', path: ['/admin/**'] }] }),
  (s) => ({ ...s, rules: [{ effect: 'Allow', source: 'api', paths: '/admin/**' }] }),
  (s) => ({ ...s, rules: [{ effect: 'allow', source: 'api' }] }),
  (s) => ({ ...s, rules: [{ effect: 'Allow', source: 'api', methods: ['get'] }] }),
  (s) => ({ ...s, rules: [{ effect: 'Allow', source: 'api', methods: [] }] }),
  (s) => ({ ...s, rules: [{ effect: 'Allow', source: 'api', paths: ['admin'] }] }),
  (s) => ({ ...s, mode: 'Permissive' }),
  (s) => ({ ...s, workloads: { ...(s.workloads as Json), serviceAcounts: ['agent'] } }),
  () => ({ workloads: { serviceAccounts: ['agent'] }, rules: { effect: 'Allow', source: '*' } }),
];

const invalidArb = fc
  .tuple(fc.constantFrom(...NAMES), specArb, fc.nat(BREAKS.length - 1), fc.boolean())
  .map(([name, spec, i, badName]) => policy(badName ? `Bad ${name}` : name, (BREAKS[i] as (s: Json) => Json)(spec as Json)));

const workloadArb: fc.Arbitrary<Workload> = fc.record({
  namespace: fc.constant('team-a'),
  serviceAccount: fc.constantFrom('agent', 'other'),
  podName: fc.constant('pod-0'),
  podUID: fc.constant('uid'),
  labels: fc.constantFrom({}, { app: 'agent' }, { app: 'web' }),
});

const factsArb: fc.Arbitrary<RequestFacts> = fc.record({
  source: fc.constantFrom('api', 'other'),
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path: fc.constantFrom('/v1/models', '/admin/cfg', '/v2/a/x', '/x', '/v1/a/b'),
  items: fc.constant([]),
});

function decision(objects: readonly Json[], workload: Workload, facts: RequestFacts): Decision {
  const batch = batchOf('EgressPolicy', objects.map((o, i) => candidateOf('EgressPolicy', o, `file-${i}.yaml`, validator)));
  return decide(compileForWorkload([...inForce(new Map(), batch.accepted, batch.held).values()], workload), facts);
}

const permissiveness = (d: Decision): number => (d.forward ? 2 : 0) + (d.effect === 'Allow' ? 1 : 0);

describe('bad input never widens access', () => {
  it('decides every request as if the invalid objects were absent', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), specArb), { maxLength: 4, selector: ([n]) => n }),
        fc.array(invalidArb, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        workloadArb,
        fc.array(factsArb, { minLength: 1, maxLength: 5 }),
        (validPairs, invalid, seed, workload, requests) => {
          const valid = validPairs.map(([name, spec]) => policy(name, spec));
          for (const v of valid) expect(validator.validate('EgressPolicy', v).ok).toBe(true);
          for (const bad of invalid) expect(validator.validate('EgressPolicy', bad).ok).toBe(false);
          // Interleave the invalid objects among the valid ones, as files in a folder would be.
          const mixed = [...valid];
          invalid.forEach((bad, i) => mixed.splice((seed + i) % (mixed.length + 1), 0, bad));
          for (const facts of requests) {
            const withBad = decision(mixed, workload, facts);
            const without = decision(valid, workload, facts);
            expect(permissiveness(withBad)).toBeLessThanOrEqual(permissiveness(without));
            expect({ forward: withBad.forward, effect: withBad.effect, rule: withBad.rule }).toEqual({ forward: without.forward, effect: without.effect, rule: without.rule });
          }
        },
      ),
      // Fixed by default so CI is reproducible; BAD_INPUT_SEED=<n> explores other inputs.
      { numRuns: 300, seed: Number(process.env.BAD_INPUT_SEED ?? 20261207) },
    );
  });
});
