// Valid CredentialSource and EgressPolicy manifests that the CRD tests mutate one field at a time, so
// each rejection can only come from that field.
import type { CredentialSourceSpec, EgressPolicyRule, EgressPolicySpec } from '@portcullis/shared';
import { API_VERSION, CREDENTIAL_SOURCE_KIND, EGRESS_POLICY_KIND } from '@portcullis/shared';

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: object;
}

/** One spec the API server must refuse, and the field and words its error must name. */
export interface InvalidCase {
  readonly name: string;
  readonly manifest: Manifest;
  readonly field: string;
  readonly message: string;
}

export function credentialSource(spec: object, name = 'example'): Manifest {
  return { apiVersion: API_VERSION, kind: CREDENTIAL_SOURCE_KIND, metadata: { name }, spec };
}

export function egressPolicy(spec: object, name = 'example'): Manifest {
  return { apiVersion: API_VERSION, kind: EGRESS_POLICY_KIND, metadata: { name }, spec };
}

export const httpSpec = {
  type: 'http',
  port: 18080,
  http: {
    upstream: 'https://api.example.com/v1',
    injection: { type: 'Header', header: { name: 'X-Api-Key', prefix: 'key ' } },
    secretRef: { name: 'example-api', key: 'api-key' },
  },
  env: [{ name: 'EXAMPLE_API_URL', value: '$(PORTCULLIS_URL)' }],
} as const satisfies CredentialSourceSpec;

export const awsSpec = {
  type: 'aws',
  port: 18081,
  aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/portcullis/reader', sessionDurationSeconds: 900 } },
} as const satisfies CredentialSourceSpec;

export const allowRule = {
  name: 'read',
  effect: 'Allow',
  source: 's3',
  methods: ['GET', 'HEAD'],
  paths: ['/reports/**'],
  actions: ['s3:Get*', 's3:ListBucket'],
  resources: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'],
} as const satisfies EgressPolicyRule;

export const policySpec = {
  mode: 'Enforce',
  workloads: { serviceAccounts: ['reports'], podSelector: { matchLabels: { app: 'reports' } } },
  rules: [allowRule],
} as const satisfies EgressPolicySpec;

/** Valid variants: the rules must not refuse what the documentation allows. */
export const validVariants: readonly (readonly [string, Manifest])[] = [
  [
    'a preset without upstream or injection',
    credentialSource({ type: 'http', port: 18090, http: { preset: 'stripe', secretRef: httpSpec.http.secretRef } }),
  ],
  [
    'Basic injection with a user name',
    credentialSource({
      ...httpSpec,
      http: { ...httpSpec.http, injection: { type: 'Basic', basic: { username: 'api' } } },
    }),
  ],
  [
    'QueryParameter injection',
    credentialSource({
      ...httpSpec,
      http: { ...httpSpec.http, injection: { type: 'QueryParameter', queryParameter: { name: 'api_key' } } },
    }),
  ],
  ['Bearer injection', credentialSource({ ...httpSpec, http: { ...httpSpec.http, injection: { type: 'Bearer' } } })],
  [
    'an OAuth2 client-credentials origin without injection (Bearer by default)',
    credentialSource({
      type: 'http',
      port: 18092,
      http: {
        upstream: 'https://api.example.com',
        oauth2: {
          issuer: 'https://auth.example.com/',
          grant: 'ClientCredentials',
          clientId: 'reports',
          clientAuthentication: { method: 'PrivateKeyJwt', secretRef: { name: 'reports-oauth', key: 'key.pem' }, signingAlgorithm: 'ES256', keyId: 'k1' },
          scopes: ['reports.read'],
          audiences: ['https://api.example.com'],
          resources: ['https://api.example.com/reports'],
        },
      },
    }),
  ],
  [
    'a secretless OAuth2 jwt-bearer origin',
    credentialSource({
      type: 'http',
      port: 18093,
      http: { upstream: 'https://api.example.com', oauth2: { tokenEndpoint: 'http://127.0.0.1:4444/oauth2/token', allowPlaintext: true, grant: 'JwtBearer', scopes: ['reports.read'] } },
    }),
  ],
  [
    'a plaintext upstream that is explicitly allowed',
    credentialSource({
      ...httpSpec,
      http: { ...httpSpec.http, upstream: 'http://127.0.0.1:8080', allowPlaintextUpstream: true },
    }),
  ],
  [
    'a CA bundle',
    credentialSource({
      ...httpSpec,
      http: { ...httpSpec.http, caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
    }),
  ],
  [
    'static keys against moto over plaintext',
    credentialSource({
      type: 'aws',
      port: 18091,
      aws: {
        endpoint: 'http://127.0.0.1:5000',
        allowPlaintextEndpoint: true,
        staticKeys: { secretRef: { name: 'aws-keys', sessionTokenKey: 'AWS_SESSION_TOKEN' } },
      },
    }),
  ],
  [
    'an API key from a Vault KV v2 secret, with every default',
    credentialSource({
      type: 'http',
      port: 18092,
      http: { preset: 'openai', vault: { address: 'https://vault.example.com:8200', auth: { kubernetes: { role: 'openai' } }, kv: { path: 'teams/a/openai', field: 'api-key' } } },
    }),
  ],
  [
    'an API key from OpenBao over plaintext in a namespace, with a mount, audience and poll interval',
    credentialSource({
      ...httpSpec,
      http: {
        upstream: httpSpec.http.upstream,
        injection: httpSpec.http.injection,
        vault: {
          address: 'http://127.0.0.1:8200',
          allowPlaintext: true,
          namespace: 'team-a/prod',
          auth: { kubernetes: { role: 'reports', mount: 'kubernetes-prod', tokenAudience: 'openbao' } },
          kv: { mount: 'kv/team-a', path: 'apis/example', field: 'key', pollIntervalSeconds: 10 },
        },
      },
    }),
  ],
  [
    'AWS keys held in a Vault KV secret',
    credentialSource({
      type: 'aws',
      port: 18093,
      aws: { vault: { address: 'https://vault.example.com', auth: { kubernetes: { role: 'aws' } }, kv: { path: 'aws/reports', sessionTokenField: 'session_token' } } },
    }),
  ],
  [
    "Vault's AWS secrets engine assuming a role",
    credentialSource({
      type: 'aws',
      port: 18094,
      aws: {
        vault: {
          address: 'https://vault.example.com',
          auth: { kubernetes: { role: 'aws' } },
          secretsEngine: { role: 'reader', credentialType: 'assumed_role', roleArn: 'arn:aws:iam::123456789012:role/reader', ttlSeconds: 900 },
        },
      },
    }),
  ],
  [
    'an AWS GovCloud role with a path',
    credentialSource({
      ...awsSpec,
      aws: {
        useFipsEndpoint: true,
        webIdentity: { roleArn: 'arn:aws-us-gov:iam::123456789012:role/a/b/reader', stsRegion: 'us-gov-west-1' },
      },
    }),
  ],
  [
    'a policy for every pod and every source',
    egressPolicy({
      mode: 'Audit',
      workloads: { podSelector: {} },
      rules: [
        { effect: 'Deny', source: '*', methods: ['*'], paths: ['/**/admin/*'], actions: ['*'], resources: ['*'] },
      ],
    }),
  ],
  [
    'wildcard actions and ARNs',
    egressPolicy(
      withRule({
        ...allowRule,
        actions: ['dynamodb:*', 'sqs:Send?essage'],
        resources: ['arn:*:dynamodb:*:123456789012:table/orders*', 'arn:aws:s3:::b/a key with spaces'],
      }),
    ),
  ],
];

/** `policySpec` with its one rule changed. */
export function withRule(rule: object): object {
  return { ...policySpec, rules: [rule] };
}
