// CredentialSource specs with the origins that mint a token for the pod (issue 17) that the API server
// must refuse, each one field away from a valid spec.
import { credentialSource as cs, httpSpec, type InvalidCase } from './manifests.js';

const http = httpSpec.http;
const azure = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '0d4a1c34-3b1e-4f5f-9d7c-0a9c6e8e1a11' };
const githubApp = { appId: '123456', installationId: 42, privateKeySecretRef: { name: 'reports-app', key: 'private-key.pem' } };

export const invalidFederatedSources: readonly InvalidCase[] = [
  {
    name: 'azure-storage without an upstream (every storage account has its own host)',
    manifest: cs({ ...httpSpec, http: { preset: 'azure-storage', azureWorkloadIdentity: azure } }),
    field: 'spec.http.upstream',
    message: 'spec.http.upstream is required unless spec.http.preset gives one (azure-storage and azure-openai do not',
  },
  {
    name: 'both secretRef and azureWorkloadIdentity',
    manifest: cs({ ...httpSpec, http: { ...http, azureWorkloadIdentity: azure } }),
    field: 'spec.http',
    message: 'spec.http sets more than one origin',
  },
  {
    name: 'an Azure client ID that is not a GUID',
    manifest: cs({ ...httpSpec, http: { preset: 'azure-management', azureWorkloadIdentity: { ...azure, clientId: 'reports-app' } } }),
    field: 'spec.http.azureWorkloadIdentity.clientId',
    message: 'should match',
  },
  {
    name: 'a plaintext Entra authority host',
    manifest: cs({ ...httpSpec, http: { preset: 'azure-management', azureWorkloadIdentity: { ...azure, authorityHost: 'http://login.example.com' } } }),
    field: 'spec.http.azureWorkloadIdentity.authorityHost',
    message: 'must be an https URL with a host and optional port only',
  },
  {
    name: 'a GitHub App asking for an unknown permission level',
    manifest: cs({ ...httpSpec, http: { preset: 'github', githubApp: { ...githubApp, permissions: { issues: 'owner' } } } }),
    field: 'spec.http.githubApp.permissions.issues',
    message: 'Unsupported value: "owner"',
  },
  {
    name: 'a GitHub App narrowed to owner/repository instead of a repository name',
    manifest: cs({ ...httpSpec, http: { preset: 'github', githubApp: { ...githubApp, repositories: ['acme/reports'] } } }),
    field: 'spec.http.githubApp.repositories[0]',
    message: 'should match',
  },
];
