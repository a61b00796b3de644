import { describe, expect, it } from '@jest/globals';
import type { CredentialSource, GithubAppOrigin } from '../../crd/index.js';
import { originTokenOf, resolveSource, secretKeysOf } from '../resolve-source.js';
import { resolveGithubApp } from './resolve.js';

const base: GithubAppOrigin = { appId: '123456', installationId: 42, privateKeySecretRef: { name: 'reports-app', key: 'private-key.pem' } };

describe('resolveGithubApp', () => {
  it('keeps repositories and permissions, and leaves them out when empty (all of the installation)', () => {
    expect(resolveGithubApp({ ...base, repositories: ['reports', 'reports'], permissions: { issues: 'write' } })).toEqual({
      kind: 'githubApp', appId: '123456', installationId: 42, privateKey: { secretName: 'reports-app', key: 'private-key.pem' },
      repositories: ['reports'], permissions: { issues: 'write' },
    });
    expect(resolveGithubApp({ ...base, repositories: [], permissions: {} })).toMatchObject({ repositories: undefined, permissions: undefined });
  });

  it.each([
    [{ appId: 'my-app' }, /not an App ID/],
    [{ installationId: 0 }, /positive integer/],
    [{ repositories: ['acme/reports'] }, /not a repository name/],
    [{ repositories: ['..'] }, /not a repository name/],
    [{ permissions: { Issues: 'write' } }, /not a GitHub permission name/],
    [{ permissions: { issues: 'owner' } }, /read, write or admin/],
  ])('refuses %j (the CRD rejects it too)', (patch, message) => {
    expect(resolveGithubApp({ ...base, ...patch } as GithubAppOrigin)).toMatch(message);
  });
});

describe('resolveSource with githubApp', () => {
  it('mounts the private key like an API key (into the sidecar only) and needs no projected token', () => {
    const cs: CredentialSource = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'gh' }, spec: { type: 'http', port: 18080, http: { preset: 'github', githubApp: base } } };
    const r = resolveSource(cs);
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(r.source.type === 'http' && r.source.upstream.href).toBe('https://api.github.com/');
    expect(secretKeysOf(r.source)).toEqual({ secretName: 'reports-app', keys: ['private-key.pem'] });
    expect(originTokenOf(r.source)).toBeUndefined();
  });
});
