import { describe, expect, it } from '@jest/globals';
import type { CredentialSource, HttpSource } from '../../crd/index.js';
import { originTokenOf, resolveSource, secretKeysOf, vaultAudienceOf } from '../resolve-source.js';
import { sourceEnv } from '../resolve.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0d4a1c34-3b1e-4f5f-9d7c-0a9c6e8e1a11';
const cs = (http: HttpSource): CredentialSource => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'blob' }, spec: { type: 'http', port: 18080, http } });
const azure = { tenantId: TENANT, clientId: CLIENT };

describe('resolveSource with azureWorkloadIdentity', () => {
  it('takes the scope from the azure-storage preset, the public authority and the default token audience', () => {
    const r = resolveSource(cs({ preset: 'azure-storage', upstream: 'https://acct.blob.core.windows.net', azureWorkloadIdentity: azure }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(r.source.type === 'http' && r.source.origin).toEqual({
      kind: 'azureWorkloadIdentity', tenantId: TENANT, clientId: CLIENT, authorityHost: new URL('https://login.microsoftonline.com'),
      scope: 'https://storage.azure.com/.default', caBundle: undefined, originToken: { audience: 'api://AzureADTokenExchange' },
    });
    expect(r.source.type === 'http' && r.source.injection).toEqual({ type: 'Bearer' });
    expect(originTokenOf(r.source)).toEqual({ audience: 'api://AzureADTokenExchange' });
    expect(secretKeysOf(r.source)).toBeUndefined();
    expect(vaultAudienceOf(r.source)).toBeUndefined();
  });

  it.each([
    ['azure-management', 'https://management.azure.com/.default', 'https://management.azure.com'],
    ['azure-openai', 'https://cognitiveservices.azure.com/.default', undefined],
  ] as const)('preset %s asks for %s', (preset, scope, upstream) => {
    const r = resolveSource(cs({ preset, ...(upstream ? {} : { upstream: 'https://res.openai.azure.com' }), azureWorkloadIdentity: azure }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(r.source.type === 'http' && r.source.origin.kind === 'azureWorkloadIdentity' && r.source.origin.scope).toBe(scope);
    if (upstream) expect(r.source.type === 'http' && r.source.upstream.href).toBe(`${upstream}/`);
  });

  it('uses the spec scope, authority host and token audience over the defaults', () => {
    const r = resolveSource(cs({ preset: 'azure-management', azureWorkloadIdentity: { ...azure, scope: 'https://vault.azure.net/.default', authorityHost: 'https://login.microsoftonline.us/', tokenAudience: 'api://AzureADTokenExchangeUSGov' } }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    const o = r.source.type === 'http' ? r.source.origin : undefined;
    expect(o?.kind === 'azureWorkloadIdentity' && [o.scope, o.authorityHost.href]).toEqual(['https://vault.azure.net/.default', 'https://login.microsoftonline.us/']);
    expect(originTokenOf(r.source)).toEqual({ audience: 'api://AzureADTokenExchangeUSGov' });
  });

  it('gives the app the account URL and no key for azure-storage', () => {
    expect(sourceEnv(cs({ preset: 'azure-storage', upstream: 'https://acct.blob.core.windows.net', azureWorkloadIdentity: azure }))).toEqual([{ name: 'AZURE_STORAGE_BLOB_URL', value: 'http://127.0.0.1:18080' }]);
  });

  it.each([
    [{ preset: 'azure-storage', azureWorkloadIdentity: azure }, /upstream is required with preset azure-storage/],
    [{ upstream: 'https://x.example.com', injection: { type: 'Bearer' }, azureWorkloadIdentity: azure }, /scope is required without an azure-\* preset/],
    [{ preset: 'azure-management', azureWorkloadIdentity: { ...azure, clientId: 'not-a-guid' } }, /not an application \(client\) ID/],
    [{ preset: 'azure-management', azureWorkloadIdentity: { ...azure, tenantId: '../x' } }, /not a tenant ID/],
    [{ preset: 'azure-management', azureWorkloadIdentity: { ...azure, authorityHost: 'http://login.example.com' } }, /must use https/],
    [{ preset: 'azure-management', azureWorkloadIdentity: { ...azure, authorityHost: 'https://login.example.com/tenant' } }, /without a path/],
    [{ preset: 'azure-management', azureWorkloadIdentity: azure, secretRef: { name: 's', key: 'k' } }, /exactly one origin .*it sets secretRef and azureWorkloadIdentity/],
  ] as const)('refuses %j (the CRD rejects it too)', (http, message) => {
    const r = resolveSource(cs(http));
    expect(!r.ok && r.problems[0]?.message).toMatch(message);
  });
});
