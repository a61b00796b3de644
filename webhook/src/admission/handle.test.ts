import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { PortcullisError } from '@portcullis/shared';
import { ANNOTATIONS } from '../inject/annotations.js';
import { TEST_CONFIG, allSources } from '../inject/testdata/fixtures.js';
import { admit, type AdmitDeps } from './handle.js';
import { parseAdmissionReview, type AdmissionRequest } from './review.js';

const sources = allSources();
const deps: AdmitDeps = { sourcesIn: () => sources.filter((s) => s.metadata.name === 'openai'), config: TEST_CONFIG };

function review(pod: V1Pod, extra: Record<string, unknown> = {}): AdmissionRequest {
  return parseAdmissionReview({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'team-a',
      operation: 'CREATE',
      object: pod,
      ...extra,
    },
  });
}

const pod = (annotations: Record<string, string>): V1Pod => ({ metadata: { generateName: 'web-', annotations }, spec: { containers: [{ name: 'app' }] } });
const decodePatch = (patch: string | undefined): unknown => JSON.parse(Buffer.from(patch ?? '', 'base64').toString('utf8'));

describe('admit', () => {
  it('answers an annotated pod with a base64 JSONPatch and audit annotations', () => {
    const a = admit(review(pod({ [ANNOTATIONS.inject]: 'true' })), deps);
    expect(a.review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-1', allowed: true, patchType: 'JSONPatch' } });
    expect(decodePatch(a.review.response.patch)).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/spec/initContainers' })]));
    expect(a.review.response.auditAnnotations).toEqual({ result: 'injected', reason: 'Injected' });
  });

  it('admits a pod without the annotation untouched', () => {
    const a = admit(review(pod({})), deps);
    expect(a.review.response).toEqual({ uid: 'uid-1', allowed: true, auditAnnotations: { result: 'skipped', reason: 'NotRequested' } });
  });

  it('gives a dry-run request the same patch and no Event', () => {
    const annotations = { [ANNOTATIONS.inject]: 'true', [ANNOTATIONS.sources]: 'openai,nope' };
    const real = admit(review(pod(annotations)), deps);
    const dry = admit(review(pod(annotations), { dryRun: true }), deps);
    expect(dry.review.response.patch).toBe(real.review.response.patch);
    expect(real.events).toEqual([expect.objectContaining({ podName: 'web-', reason: 'SourceNotFound' })]);
    expect(dry.events).toEqual([]);
  });

  it('warns about an unknown source and still admits (failure setting admit)', () => {
    const a = admit(review(pod({ [ANNOTATIONS.inject]: 'true', [ANNOTATIONS.sources]: 'nope' })), deps);
    expect(a.review.response.allowed).toBe(true);
    expect(a.review.response.warnings?.[0]).toMatch(/^portcullis: \[SOURCE_NOT_FOUND\] no CredentialSource nope/);
  });

  it('rejects a pod naming an unknown source with failure setting deny, saying what to fix', () => {
    const a = admit(review(pod({ [ANNOTATIONS.inject]: 'true', [ANNOTATIONS.sources]: 'nope' })), { ...deps, config: { ...TEST_CONFIG, unknownSource: 'deny' } });
    expect(a.review.response).toMatchObject({ allowed: false, status: { code: 403, message: expect.stringMatching(/create it or fix the annotation/) as unknown } });
    expect(a.review.response.patch).toBeUndefined();
    expect(a.events).toHaveLength(1);
  });

  it('throws SOURCES_NOT_SYNCED for an annotated pod before the cache has synced', () => {
    expect(() => admit(review(pod({ [ANNOTATIONS.inject]: 'true' })), { ...deps, sourcesIn: () => undefined })).toThrow(PortcullisError);
  });

  it('ignores anything but a pod CREATE', () => {
    const a = admit(review(pod({ [ANNOTATIONS.inject]: 'true' }), { operation: 'UPDATE' }), deps);
    expect(a).toMatchObject({ result: 'skipped', reason: 'NotPodCreate' });
    expect(a.review.response.patch).toBeUndefined();
  });

  it('truncates overlong warnings to what the API server keeps', () => {
    const name = 'x'.repeat(300);
    const a = admit(review(pod({ [ANNOTATIONS.inject]: 'true', [ANNOTATIONS.sources]: name })), deps);
    expect(a.review.response.warnings?.[0]?.length).toBe(256);
  });
});

describe('parseAdmissionReview', () => {
  it.each([
    [null, /not a JSON object/],
    [{ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' }, /admissionReviewVersions/],
    [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request is missing/],
    [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }, /uid is missing/],
  ])('rejects %j with ADMISSION_REVIEW_INVALID', (body, message) => {
    expect(() => parseAdmissionReview(body)).toThrow(message);
  });
});
