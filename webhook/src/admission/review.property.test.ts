// Property: the admission decoder takes any JSON an API server (or anyone reaching the port) may send and
// either refuses it with ADMISSION_REVIEW_INVALID or returns a request with a non-empty uid and string
// fields; only a pod CREATE (core group, no sub-resource) with an object is ever treated as a pod.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz, refusedOr } from '@portcullis/shared/testing/fuzz';
import { parseAdmissionReview, podOf } from './review.js';

const anyJson = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof(a, anyJson);
const reviewArb = fc.record(
  {
    apiVersion: maybe(fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1')),
    kind: maybe(fc.constant('AdmissionReview')),
    request: maybe(
      fc.record(
        {
          uid: maybe(fc.string({ maxLength: 8 })),
          resource: maybe(fc.record({ group: maybe(fc.constantFrom('', 'apps')), version: maybe(fc.constant('v1')), resource: maybe(fc.constantFrom('pods', 'deployments')) }, { requiredKeys: [] })),
          subResource: maybe(fc.constantFrom('', 'status', 'ephemeralcontainers')),
          name: maybe(fc.string({ maxLength: 4 })),
          namespace: maybe(fc.string({ maxLength: 4 })),
          operation: maybe(fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'create')),
          dryRun: maybe(fc.boolean()),
          object: maybe(fc.record({ kind: fc.constant('Pod'), spec: fc.record({ containers: fc.constant([]) }) })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('parseAdmissionReview under fuzzing', () => {
  it('refuses with ADMISSION_REVIEW_INVALID or returns a well-typed request; only pod CREATEs are pods', () => {
    fuzz(
      'admission-review',
      fc.oneof(reviewArb, anyJson),
      (body) => {
        const req = refusedOr(() => parseAdmissionReview(body), ['ADMISSION_REVIEW_INVALID']);
        if (req === undefined) return;
        expect(typeof req.uid === 'string' && req.uid.length > 0).toBe(true);
        for (const v of [req.namespace, req.operation, req.resource.group, req.resource.version, req.resource.resource]) expect(typeof v).toBe('string');
        expect(typeof req.dryRun).toBe('boolean');
        const pod = podOf(req);
        if (pod !== undefined) {
          expect(req).toMatchObject({ operation: 'CREATE', subResource: undefined, resource: { group: '', resource: 'pods' } });
          expect(typeof pod === 'object' && pod !== null && !Array.isArray(pod)).toBe(true);
        }
      },
      { runs: 2000 },
    );
  });
});
