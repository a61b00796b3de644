// CredentialSource specs with the origins that mint a token for the pod (issue 17) that the API server
// must refuse, each one field away from a valid spec.
import { credentialSource as cs, httpSpec, type InvalidCase } from './manifests.js';

const http = httpSpec.http;
const azure = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '0d4a1c34-3b1e-4f5f-9d7c-0a9c6e8e1a11' };
const gcp = { audience: '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/prod/providers/cluster-a' };
const githubApp = { appId: '123456', installationId: 42, privateKeySecretRef: { name: 'reports-app', key: 'private-key.pem' } };

export const invalidFederatedSources: readonly InvalidCase[] = [
  {
    name: 'azure-storage without an upstream (every storage account has its own host)',
    manifest: cs({ ...httpSpec, http: { preset: 'azure-storage', azureWorkloadIdentity: azure } }),
    field: 'spec.http.upstream',
    message: 'spec.http.upstream is required unless spec.http.preset gives one (azure-storage, azure-openai and vertex-ai do not',
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
    name: 'vertex-ai without an upstream (every region has its own host)',
    manifest: cs({ ...httpSpec, http: { preset: 'vertex-ai', gcpWorkloadIdentity: gcp } }),
    field: 'spec.http.upstream',
    message: 'azure-storage, azure-openai and vertex-ai do not',
  },
  {
    name: 'both azureWorkloadIdentity and gcpWorkloadIdentity',
    manifest: cs({ ...httpSpec, http: { preset: 'gcs', azureWorkloadIdentity: azure, gcpWorkloadIdentity: gcp } }),
    field: 'spec.http',
    message: 'spec.http sets more than one origin',
  },
  {
    name: 'a GCP audience that is a workforce pool, not a workload identity pool provider',
    manifest: cs({ ...httpSpec, http: { preset: 'gcs', gcpWorkloadIdentity: { audience: '//iam.googleapis.com/locations/global/workforcePools/staff/providers/okta' } } }),
    field: 'spec.http.gcpWorkloadIdentity.audience',
    message: 'should match',
  },
  {
    name: 'a plaintext Google STS token URL',
    manifest: cs({ ...httpSpec, http: { preset: 'gcs', gcpWorkloadIdentity: { ...gcp, tokenUrl: 'http://sts.example.com/v1/token' } } }),
    field: 'spec.http.gcpWorkloadIdentity.tokenUrl',
    message: 'must be an https URL without user info, query or fragment',
  },
  {
    name: 'an IAM Credentials URL with a path',
    manifest: cs({ ...httpSpec, http: { preset: 'gcs', gcpWorkloadIdentity: { ...gcp, iamCredentialsUrl: 'https://iamcredentials.googleapis.com/v1' } } }),
    field: 'spec.http.gcpWorkloadIdentity.iamCredentialsUrl',
    message: 'must be an https URL with a host and optional port only',
  },
  {
    name: 'a GCP caBundle holding a private key',
    manifest: cs({ ...httpSpec, http: { preset: 'gcs', gcpWorkloadIdentity: { ...gcp, caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n' } } }),
    field: 'spec.http.gcpWorkloadIdentity.caBundle',
    message: 'must not contain a private key',
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
