// CredentialSource specs the API server must refuse, each one field away from a valid spec.
import { invalidFederatedSources } from './invalid-federated-sources.js';
import { invalidOAuth2Sources, oauth2 } from './invalid-oauth2-sources.js';
import { awsSpec, credentialSource as cs, httpSpec, type InvalidCase } from './manifests.js';

const http = httpSpec.http;
const aws = awsSpec.aws;
const vault = { address: 'https://vault.example.com:8200', auth: { kubernetes: { role: 'reports' } }, kv: { path: 'teams/a/api', field: 'key' } };
const awsVault = { address: vault.address, auth: vault.auth, kv: { path: 'teams/a/aws' } };
const PRIVATE_KEY_PEM =
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

export const invalidCredentialSources: readonly InvalidCase[] = [
  {
    name: 'an unknown type',
    manifest: cs({ ...awsSpec, type: 'vault' }),
    field: 'spec.type',
    message: 'Unsupported value: "vault": supported values: "aws", "http"',
  },
  {
    name: 'a privileged port',
    manifest: cs({ ...httpSpec, port: 80 }),
    field: 'spec.port',
    message: 'should be greater than or equal to 1024',
  },
  {
    name: 'a port above 65535',
    manifest: cs({ ...httpSpec, port: 70000 }),
    field: 'spec.port',
    message: 'should be less than or equal to 65535',
  },
  {
    name: 'a name that policies cannot refer to',
    manifest: cs(httpSpec, 'example.prod'),
    field: 'metadata.name',
    message: 'metadata.name "example.prod" must be a DNS-1123 label',
  },
  {
    name: 'an http block on an aws source',
    manifest: cs({ ...awsSpec, http }),
    field: 'spec.http',
    message: 'spec.http must not be set when spec.type is aws; remove spec.http or set spec.type: http',
  },
  {
    name: 'an http source without an http block',
    manifest: cs({ type: 'http', port: 18080 }),
    field: 'spec.http',
    message: 'spec.http is required when spec.type is http',
  },
  {
    name: 'an aws block on an http source',
    manifest: cs({ ...httpSpec, aws }),
    field: 'spec.aws',
    message: 'spec.aws must not be set when spec.type is http',
  },
  {
    name: 'no upstream and no preset',
    manifest: cs({ ...httpSpec, http: { injection: http.injection, secretRef: http.secretRef } }),
    field: 'spec.http.upstream',
    message: 'spec.http.upstream is required unless spec.http.preset gives one',
  },
  {
    name: 'no injection and no preset',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, secretRef: http.secretRef } }),
    field: 'spec.http.injection',
    message: 'spec.http.injection is required unless spec.http.preset or spec.http.oauth2 is set',
  },
  {
    name: 'a plaintext upstream without allowPlaintextUpstream',
    manifest: cs({ ...httpSpec, http: { ...http, upstream: 'http://api.example.com' } }),
    field: 'spec.http.upstream',
    message:
      'spec.http.upstream "http://api.example.com" must use https:// so the credential is not sent in clear text',
  },
  {
    name: 'an upstream with credentials in it',
    manifest: cs({ ...httpSpec, http: { ...http, upstream: 'https://user:secret@api.example.com' } }),
    field: 'spec.http.upstream',
    message: 'must be an absolute http(s) URL without user info, query or fragment',
  },
  {
    name: 'a Header injection without a header',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { type: 'Header' } } }),
    field: 'spec.http.injection.header',
    message: 'spec.http.injection.header is required when injection.type is Header',
  },
  {
    name: 'a Bearer injection with a header',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { ...http.injection, type: 'Bearer' } } }),
    field: 'spec.http.injection.header',
    message: 'spec.http.injection.header is only allowed when injection.type is Header, not Bearer',
  },
  {
    name: 'a QueryParameter injection without a parameter',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { type: 'QueryParameter' } } }),
    field: 'spec.http.injection.queryParameter',
    message: 'spec.http.injection.queryParameter is required when injection.type is QueryParameter',
  },
  {
    name: 'basic settings on a Header injection',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { ...http.injection, basic: { username: 'api' } } } }),
    field: 'spec.http.injection.basic',
    message: 'spec.http.injection.basic is only allowed when injection.type is Basic, not Header',
  },
  {
    name: 'a header name that is not an HTTP token',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { type: 'Header', header: { name: 'X Api Key' } } } }),
    field: 'spec.http.injection.header.name',
    message: 'spec.http.injection.header.name "X Api Key" is not a valid HTTP header name',
  },
  {
    name: 'a hop-by-hop header',
    manifest: cs({
      ...httpSpec,
      http: { ...http, injection: { type: 'Header', header: { name: 'Transfer-Encoding' } } },
    }),
    field: 'spec.http.injection.header.name',
    message: '"Transfer-Encoding" is a hop-by-hop or framing header the proxy controls',
  },
  {
    name: 'the Host header, in any case',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { type: 'Header', header: { name: 'hOsT' } } } }),
    field: 'spec.http.injection.header.name',
    message: '"hOsT" is a hop-by-hop or framing header the proxy controls',
  },
  {
    name: 'a private key in caBundle',
    manifest: cs({ ...httpSpec, http: { ...http, caBundle: PRIVATE_KEY_PEM } }),
    field: 'spec.http.caBundle',
    message: 'spec.http.caBundle must not contain a private key',
  },
  {
    name: 'a caBundle that is not PEM',
    manifest: cs({ ...httpSpec, http: { ...http, caBundle: 'MIIBkTCB+wIJAK' } }),
    field: 'spec.http.caBundle',
    message: 'spec.http.caBundle must be PEM-encoded certificates',
  },
  {
    name: 'a Basic user name with a colon',
    manifest: cs({ ...httpSpec, http: { ...http, injection: { type: 'Basic', basic: { username: 'api:key' } } } }),
    field: 'spec.http.injection.basic.username',
    message: 'should match',
  },
  {
    name: 'a secretRef without a key',
    manifest: cs({ ...httpSpec, http: { ...http, secretRef: { name: 'example-api' } } }),
    field: 'spec.http.secretRef.key',
    message: 'Required value',
  },
  {
    name: 'both secretRef and vault',
    manifest: cs({ ...httpSpec, http: { ...http, vault } }),
    field: 'spec.http',
    message: 'spec.http sets more than one origin; keep exactly one of secretRef, vault, azureWorkloadIdentity, gcpWorkloadIdentity, githubApp or oauth2',
  },
  {
    name: 'no origin (secretRef, vault or oauth2)',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, injection: http.injection } }),
    field: 'spec.http',
    message: 'spec.http needs exactly one origin: secretRef (a key in a Secret), vault',
  },
  {
    name: 'both secretRef and oauth2',
    manifest: cs({ ...httpSpec, http: { ...http, oauth2 } }),
    field: 'spec.http',
    message: 'spec.http sets more than one origin; keep exactly one of secretRef, vault, azureWorkloadIdentity, gcpWorkloadIdentity, githubApp or oauth2',
  },
  {
    name: 'a plaintext Vault address without allowPlaintext',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, injection: http.injection, vault: { ...vault, address: 'http://vault.example.com:8200' } } }),
    field: 'spec.http.vault.address',
    message: 'vault.address "http://vault.example.com:8200" must use https://',
  },
  {
    name: 'a Vault address with a path',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, injection: http.injection, vault: { ...vault, address: 'https://vault.example.com/v1' } } }),
    field: 'spec.http.vault.address',
    message: 'must be an http(s) URL with a host and optional port only',
  },
  {
    name: 'a KV path that climbs out with ..',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, injection: http.injection, vault: { ...vault, kv: { path: 'teams/../admin', field: 'key' } } } }),
    field: 'spec.http.vault.kv.path',
    message: 'vault.kv.path must not contain . or .. segments',
  },
  {
    name: 'a Vault origin without a KV field',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, injection: http.injection, vault: { ...vault, kv: { path: 'teams/a/api' } } } }),
    field: 'spec.http.vault.kv.field',
    message: 'Required value',
  },
  {
    name: 'a Vault origin without a login role',
    manifest: cs({ ...httpSpec, http: { upstream: http.upstream, injection: http.injection, vault: { ...vault, auth: { kubernetes: {} } } } }),
    field: 'spec.http.vault.auth.kubernetes.role',
    message: 'Required value',
  },
  {
    name: 'webIdentity and vault on one aws source',
    manifest: cs({ ...awsSpec, aws: { ...aws, vault: awsVault } }),
    field: 'spec.aws',
    message: 'spec.aws sets more than one of webIdentity, staticKeys and vault; keep exactly one of them',
  },
  {
    name: 'both kv and secretsEngine in aws.vault',
    manifest: cs({ ...awsSpec, aws: { vault: { ...awsVault, secretsEngine: { role: 'reader' } } } }),
    field: 'spec.aws.vault',
    message: 'spec.aws.vault sets both kv and secretsEngine; keep exactly one of them',
  },
  {
    name: 'neither kv nor secretsEngine in aws.vault',
    manifest: cs({ ...awsSpec, aws: { vault: { address: vault.address, auth: vault.auth } } }),
    field: 'spec.aws.vault',
    message: 'spec.aws.vault needs exactly one of kv (keys held in a KV secret) or secretsEngine',
  },
  {
    name: 'a roleArn for an iam_user engine role',
    manifest: cs({ ...awsSpec, aws: { vault: { address: vault.address, auth: vault.auth, secretsEngine: { role: 'reader', roleArn: 'arn:aws:iam::123456789012:role/reader' } } } }),
    field: 'spec.aws.vault.secretsEngine.roleArn',
    message: 'vault.secretsEngine.roleArn only applies to credentialType assumed_role',
  },
  {
    name: 'an unknown engine credential type',
    manifest: cs({ ...awsSpec, aws: { vault: { address: vault.address, auth: vault.auth, secretsEngine: { role: 'reader', credentialType: 'session_token' } } } }),
    field: 'spec.aws.vault.secretsEngine.credentialType',
    message: 'Unsupported value: "session_token"',
  },
  {
    name: 'both webIdentity and staticKeys',
    manifest: cs({ ...awsSpec, aws: { ...aws, staticKeys: { secretRef: { name: 'aws-keys' } } } }),
    field: 'spec.aws',
    message: 'spec.aws sets more than one of webIdentity, staticKeys and vault; keep exactly one of them',
  },
  {
    name: 'neither webIdentity nor staticKeys',
    manifest: cs({ ...awsSpec, aws: { useFipsEndpoint: true } }),
    field: 'spec.aws',
    message: 'spec.aws needs exactly one of webIdentity, staticKeys or vault',
  },
  {
    name: 'a user ARN as roleArn',
    manifest: cs({ ...awsSpec, aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:user/alice' } } }),
    field: 'spec.aws.webIdentity.roleArn',
    message: 'spec.aws.webIdentity.roleArn "arn:aws:iam::123456789012:user/alice" is not an IAM role ARN',
  },
  {
    name: 'a roleArn with an 11-digit account',
    manifest: cs({ ...awsSpec, aws: { webIdentity: { roleArn: 'arn:aws:iam::12345678901:role/reader' } } }),
    field: 'spec.aws.webIdentity.roleArn',
    message: 'is not an IAM role ARN',
  },
  {
    name: 'a session shorter than STS allows',
    manifest: cs({ ...awsSpec, aws: { webIdentity: { ...aws.webIdentity, sessionDurationSeconds: 60 } } }),
    field: 'spec.aws.webIdentity.sessionDurationSeconds',
    message: 'should be greater than or equal to 900',
  },
  {
    name: 'a plaintext AWS endpoint without allowPlaintextEndpoint',
    manifest: cs({ ...awsSpec, aws: { ...aws, endpoint: 'http://127.0.0.1:5000' } }),
    field: 'spec.aws.endpoint',
    message: 'spec.aws.endpoint "http://127.0.0.1:5000" must use https://',
  },
  {
    name: 'a FIPS switch next to an explicit endpoint',
    manifest: cs({ ...awsSpec, aws: { ...aws, endpoint: 'https://s3.example.internal', useFipsEndpoint: true } }),
    field: 'spec.aws.endpoint',
    message: 'have no effect with spec.aws.endpoint',
  },
  {
    name: 'an unknown service in spec.aws.services',
    manifest: cs({ ...awsSpec, aws: { ...aws, services: ['s3', 'dynamo'] } }),
    field: 'spec.aws.services[1]',
    message: 'Unsupported value: "dynamo"',
  },
  {
    name: 'a service listed twice in spec.aws.services',
    manifest: cs({ ...awsSpec, aws: { ...aws, services: ['s3', 'sqs', 's3'] } }),
    field: 'spec.aws.services',
    message: 'spec.aws.services lists a service twice; name each service once',
  },
  {
    name: 'an environment variable name with dashes',
    manifest: cs({ ...httpSpec, env: [{ name: 'EXAMPLE-API-URL', value: 'x' }] }),
    field: 'spec.env[0].name',
    message: 'spec.env name "EXAMPLE-API-URL" is not a valid environment variable name',
  },
  {
    name: 'the same environment variable twice',
    manifest: cs({
      ...httpSpec,
      env: [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ],
    }),
    field: 'spec.env[1]',
    message: 'Duplicate value',
  },
  ...invalidFederatedSources,
  ...invalidOAuth2Sources,
];
