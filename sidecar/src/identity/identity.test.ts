import { describe, expect, it } from '@jest/globals';
import { identityFromReview, isIdentity } from './identity.js';

const extra = { 'authentication.kubernetes.io/pod-name': ['app-0'], 'authentication.kubernetes.io/pod-uid': ['uid-1'] };

describe('identityFromReview', () => {
  it('maps an authenticated pod-bound service-account token to the workload', () => {
    expect(
      identityFromReview({ authenticated: true, audiences: ['portcullis'], user: { username: 'system:serviceaccount:team-a:reports', extra } }, 'portcullis'),
    ).toEqual({ namespace: 'team-a', serviceAccount: 'reports', podName: 'app-0', podUID: 'uid-1' });
  });

  it.each([
    [{ authenticated: false, error: 'token expired' }, /did not authenticate.*token expired/],
    [{ authenticated: true, audiences: ['other'], user: { username: 'system:serviceaccount:a:b', extra } }, /audience/],
    [{ authenticated: true, user: { username: 'alice', extra } }, /not to a service account/],
    [{ authenticated: true, user: { username: 'system:serviceaccount:a:b:c', extra } }, /unexpected/],
    [{ authenticated: true, user: { username: 'system:serviceaccount:a:b' } }, /not bound to a pod/],
  ])('refuses %j', (status, problem) => {
    const result = identityFromReview(status, 'portcullis');
    expect(isIdentity(result)).toBe(false);
    expect('problem' in result && result.problem).toMatch(problem);
  });
});
