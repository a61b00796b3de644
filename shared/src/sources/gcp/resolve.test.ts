import { describe, expect, it } from '@jest/globals';
import type { CredentialSource, HttpSource } from '../../crd/index.js';
import { originTokenOf, resolveSource, secretKeysOf, vaultAudienceOf } from '../resolve-source.js';
import { sourceEnv } from '../resolve.js';

const PROVIDER = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/prod/providers/cluster-a';
const cs = (http: HttpSource): CredentialSource => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'gcs' }, spec: { type: 'http', port: 18080, http } });
const gcp = { audience: PROVIDER };

describe('resolveSource with gcpWorkloadIdentity', () => {
  it("takes Google's STS, the cloud-platform scope and the provider's default token audience; no impersonation", () => {
    const r = resolveSource(cs({ preset: 'gcs', gcpWorkloadIdentity: gcp }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(r.source.type === 'http' && r.source.origin).toEqual({
      kind: 'gcpWorkloadIdentity', audience: PROVIDER, scopes: ['https://www.googleapis.com/auth/cloud-platform'], serviceAccountEmail: undefined,
      tokenUrl: new URL('https://sts.googleapis.com/v1/token'), impersonationUrl: undefined, caBundle: undefined,
      originToken: { audience: 'https://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/prod/providers/cluster-a' },
    });
    expect(r.source.type === 'http' && [r.source.upstream.href, r.source.injection, r.source.errorShape]).toEqual(['https://storage.googleapis.com/', { type: 'Bearer' }, 'google']);
    expect(originTokenOf(r.source)).toEqual({ audience: `https:${PROVIDER}` });
    expect(secretKeysOf(r.source)).toBeUndefined();
    expect(vaultAudienceOf(r.source)).toBeUndefined();
  });

  it('builds the generateAccessToken URL of the service account on the IAM Credentials endpoint', () => {
    const r = resolveSource(cs({ preset: 'googleapis', gcpWorkloadIdentity: { ...gcp, serviceAccountEmail: 'reports@my-project.iam.gserviceaccount.com', iamCredentialsUrl: 'https://iamcredentials-psc.p.googleapis.com/' } }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    const o = r.source.type === 'http' ? r.source.origin : undefined;
    expect(o?.kind === 'gcpWorkloadIdentity' && o.impersonationUrl?.href).toBe('https://iamcredentials-psc.p.googleapis.com/v1/projects/-/serviceAccounts/reports%40my-project.iam.gserviceaccount.com:generateAccessToken');
    expect(r.source.type === 'http' && r.source.upstream.href).toBe('https://www.googleapis.com/');
  });

  it('uses the spec scopes, token URL and token audience over the defaults', () => {
    const r = resolveSource(cs({ preset: 'vertex-ai', upstream: 'https://us-central1-aiplatform.googleapis.com', gcpWorkloadIdentity: { ...gcp, scopes: ['https://www.googleapis.com/auth/devstorage.read_only'], tokenUrl: 'https://sts-psc.p.googleapis.com/v1/token', tokenAudience: 'my-cluster' } }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    const o = r.source.type === 'http' ? r.source.origin : undefined;
    expect(o?.kind === 'gcpWorkloadIdentity' && [o.scopes, o.tokenUrl.href]).toEqual([['https://www.googleapis.com/auth/devstorage.read_only'], 'https://sts-psc.p.googleapis.com/v1/token']);
    expect(originTokenOf(r.source)).toEqual({ audience: 'my-cluster' });
  });

  it('answers in Google error shape for any source whose token Google mints, and only then (without a Google preset)', () => {
    const custom = resolveSource(cs({ upstream: 'https://run-app.example.com', injection: { type: 'Bearer' }, gcpWorkloadIdentity: gcp }));
    const other = resolveSource(cs({ preset: 'openai', secretRef: { name: 's', key: 'k' } }));
    expect(custom.ok && custom.source.type === 'http' && custom.source.errorShape).toBe('google');
    expect(other.ok && other.source.type === 'http' && other.source.errorShape).toBe('json');
  });

  it.each([
    ['gcs', [{ name: 'GCS_API_ENDPOINT', value: 'http://127.0.0.1:18080' }]],
    ['vertex-ai', [{ name: 'GOOGLE_VERTEX_BASE_URL', value: 'http://127.0.0.1:18080' }]],
    ['googleapis', []],
  ] as const)('gives the app of preset %s the local URL and no key', (preset, env) => {
    expect(sourceEnv(cs({ preset, upstream: 'https://us-central1-aiplatform.googleapis.com', gcpWorkloadIdentity: gcp }))).toEqual(env);
  });

  it.each([
    [{ preset: 'vertex-ai', gcpWorkloadIdentity: gcp }, /upstream is required with preset vertex-ai/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { audience: 'projects/123/locations/global/workloadIdentityPools/prod/providers/a' } }, /audience .* is not a workload identity pool provider/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { audience: '//iam.googleapis.com/locations/global/workforcePools/staff/providers/a' } }, /not a workload identity pool provider/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { ...gcp, serviceAccountEmail: 'reports' } }, /not a service account email/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { ...gcp, scopes: [] } }, /scopes must not be empty/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { ...gcp, scopes: ['a b'] } }, /printable ASCII without spaces/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { ...gcp, tokenUrl: 'http://sts.example.com/v1/token' } }, /tokenUrl must use https/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { ...gcp, tokenUrl: 'https://sts.example.com/v1/token?x=1' } }, /tokenUrl must not contain user info, a query/],
    [{ preset: 'gcs', gcpWorkloadIdentity: { ...gcp, iamCredentialsUrl: 'https://iam.example.com/v1' } }, /iamCredentialsUrl must be https:\/\/host\[:port\] without a path/],
    [{ preset: 'gcs', gcpWorkloadIdentity: gcp, secretRef: { name: 's', key: 'k' } }, /exactly one origin .*it sets secretRef and gcpWorkloadIdentity/],
  ] as const)('refuses %j (the CRD rejects it too)', (http, message) => {
    const r = resolveSource(cs(http as HttpSource));
    expect(!r.ok && r.problems[0]?.message).toMatch(message);
  });
});
