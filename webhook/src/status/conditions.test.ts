import { describe, expect, it } from '@jest/globals';
import { createResourceValidator, type CredentialSource, type EgressPolicy } from '@portcullis/shared';
import { nextStatus, policyReadiness, sourceReadiness, type SecretLookup } from './conditions.js';

const source = (name: string, port: number, secret = { name: 'openai', key: 'api-key' }): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name, namespace: 'team-a', generation: 1 },
  spec: { type: 'http', port, http: { preset: 'openai', secretRef: secret } },
});
const validator = createResourceValidator();
const secrets: SecretLookup = (_ns, name) => (name === 'openai' ? { found: true, keys: new Set(['api-key']) } : { found: false });

describe('sourceReadiness', () => {
  it('is Ready when the spec is valid, the port is free and the Secret has the key', () => {
    expect(sourceReadiness(source('a', 18080), [source('a', 18080)], secrets, validator)).toMatchObject({ status: 'True', reason: 'Valid' });
  });

  it('reports PortConflict on both sources sharing a port', () => {
    const a = source('a', 18080);
    const b = source('b', 18080);
    expect(sourceReadiness(a, [a, b], secrets, validator)).toMatchObject({ status: 'False', reason: 'PortConflict', message: expect.stringMatching(/used by CredentialSource b/) as unknown });
    expect(sourceReadiness(b, [a, b], secrets, validator).reason).toBe('PortConflict');
  });

  it('is Ready for a source whose key lives in Vault, without looking for a Secret', () => {
    const vault: CredentialSource = {
      ...source('v', 18090),
      spec: { type: 'http', port: 18090, http: { preset: 'openai', vault: { address: 'https://vault.example.com', auth: { kubernetes: { role: 'r' } }, kv: { path: 'a/b', field: 'k' } } } },
    };
    const noSecrets: SecretLookup = () => {
      throw new Error('a vault source must not look up Secrets');
    };
    expect(sourceReadiness(vault, [vault], noSecrets, validator)).toMatchObject({ status: 'True', reason: 'Valid' });
  });

  it('reports InvalidSpec for a source with both secretRef and vault', () => {
    const both: CredentialSource = {
      ...source('v', 18090),
      spec: { type: 'http', port: 18090, http: { preset: 'openai', secretRef: { name: 'openai', key: 'api-key' }, vault: { address: 'https://vault.example.com', auth: { kubernetes: { role: 'r' } }, kv: { path: 'a/b', field: 'k' } } } },
    };
    expect(sourceReadiness(both, [both], secrets, validator)).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: expect.stringMatching(/exactly one of/) as unknown });
  });

  it('reports SecretNotFound and KeyNotFound with what to create', () => {
    expect(sourceReadiness(source('a', 18080, { name: 'gone', key: 'k' }), [], secrets, validator)).toMatchObject({ reason: 'SecretNotFound', message: expect.stringMatching(/create it with the key\(s\) k/) as unknown });
    expect(sourceReadiness(source('a', 18080, { name: 'openai', key: 'other' }), [], secrets, validator)).toMatchObject({ reason: 'KeyNotFound' });
  });

  it('says Unknown when the Secret could not be read, and skips the check when disabled', () => {
    expect(sourceReadiness(source('a', 18080), [], () => ({ error: 'HTTP 403' }), validator).status).toBe('Unknown');
    expect(sourceReadiness(source('a', 18080, { name: 'gone', key: 'k' }), [], undefined, validator).status).toBe('True');
  });

  it('reports InvalidSpec for a source the sidecar would refuse', () => {
    const bad: CredentialSource = { ...source('a', 18080), spec: { type: 'http', port: 18080, http: { upstream: 'http://plain.example', injection: { type: 'Bearer' }, secretRef: { name: 'openai', key: 'api-key' } } } };
    expect(sourceReadiness(bad, [], secrets, validator)).toMatchObject({ reason: 'InvalidSpec', message: expect.stringMatching(/https/) as unknown });
  });

  // The webhook used to check only webIdentity-xor-staticKeys for aws sources, so it reported Ready for
  // sources the sidecar then refused: now it runs the sidecar's own resolveSource.
  it.each([
    ['a role ARN that is not a role', { webIdentity: { roleArn: 'arn:aws:iam::123456789012:user/bob' } }, /is not an IAM role ARN/],
    ['a role ARN without an account', { webIdentity: { roleArn: 'arn:aws:iam:::role/app' } }, /is not an IAM role ARN/],
    ['an endpoint with a path', { endpoint: 'https://vpce.example/s3', webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/app' } }, /spec\.aws\.endpoint .* must be an http\(s\) URL with a host/],
    ['an endpoint combined with FIPS', { endpoint: 'https://vpce.example', useFipsEndpoint: true, webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/app' } }, /useFipsEndpoint/],
    ['an STS region of another partition', { webIdentity: { roleArn: 'arn:aws-cn:iam::123456789012:role/app', stsRegion: 'eu-west-1' } }, /not a region of the role's partition/],
  ] as const)('does not report an aws source Ready that the sidecar refuses: %s', (_what, aws, message) => {
    const cs: CredentialSource = { ...source('s3', 18100), spec: { type: 'aws', port: 18100, aws } };
    expect(sourceReadiness(cs, [cs], secrets, validator)).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: expect.stringMatching(message) as unknown });
  });

  it('reports Ready for an aws source the sidecar serves', () => {
    const cs: CredentialSource = { ...source('s3', 18100), spec: { type: 'aws', port: 18100, aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/app' } } } };
    expect(sourceReadiness(cs, [cs], secrets, validator)).toMatchObject({ status: 'True', reason: 'Valid' });
  });

  it('reports InvalidSpec with the API server\'s words for a source the CRD validator refuses', () => {
    const cs: CredentialSource = { ...source('a', 80), spec: { type: 'http', port: 80, http: { preset: 'openai', secretRef: { name: 'openai', key: 'api-key' } } } };
    expect(sourceReadiness(cs, [cs], secrets, validator)).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: expect.stringMatching(/^The CredentialSource "a" is invalid: spec\.port/) as unknown });
  });
});

describe('policyReadiness', () => {
  const policy = (sources: string[]): EgressPolicy => ({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'EgressPolicy',
    metadata: { name: 'p', namespace: 'team-a', generation: 3 },
    spec: { workloads: { serviceAccounts: ['x'] }, rules: sources.map((source) => ({ effect: 'Allow', source })) },
  });

  it('reports SourceNotFound naming the missing sources; "*" needs none', () => {
    expect(policyReadiness(policy(['s3', '*', 'gone']), new Set(['s3']), validator)).toMatchObject({ status: 'False', reason: 'SourceNotFound', message: expect.stringMatching(/^CredentialSource gone not found/) as unknown });
    expect(policyReadiness(policy(['s3', '*']), new Set(['s3']), validator).status).toBe('True');
  });

  it('reports InvalidSpec for a policy the CRD validator (and so the sidecar) refuses', () => {
    const bad: EgressPolicy = { ...policy(['s3']), spec: { workloads: { serviceAccounts: ['x'] }, rules: [] } };
    expect(policyReadiness(bad, new Set(['s3']), validator)).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: expect.stringMatching(/^The EgressPolicy "p" is invalid/) as unknown });
  });
});

describe('nextStatus', () => {
  const t1 = new Date('2026-01-01T00:00:00.123Z');
  const t2 = new Date('2026-01-02T00:00:00Z');

  it('writes observedGeneration and a Ready condition', () => {
    expect(nextStatus(undefined, { status: 'True', reason: 'Valid', message: 'ok' }, 4, t1)).toEqual({
      observedGeneration: 4,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Valid', message: 'ok', observedGeneration: 4, lastTransitionTime: '2026-01-01T00:00:00Z' }],
    });
  });

  it('writes nothing when the status already says the same for this generation', () => {
    const s = nextStatus(undefined, { status: 'True', reason: 'Valid', message: 'ok' }, 4, t1);
    expect(nextStatus(s, { status: 'True', reason: 'Valid', message: 'ok' }, 4, t2)).toBeUndefined();
  });

  it('keeps lastTransitionTime while the status stays, and moves it when the status flips', () => {
    const s = nextStatus(undefined, { status: 'True', reason: 'Valid', message: 'ok' }, 4, t1);
    expect(nextStatus(s, { status: 'True', reason: 'Valid', message: 'ok' }, 5, t2)?.conditions[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(nextStatus(s, { status: 'False', reason: 'PortConflict', message: 'x' }, 5, t2)?.conditions[0]?.lastTransitionTime).toBe('2026-01-02T00:00:00Z');
  });
});
