// The API server refuses bad CredentialSource and EgressPolicy specs at apply time, with messages that
// name the field and say what to fix. Every case changes one field of a spec the server accepts.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createNamespace, kubectl, type CommandResult } from '../support/cluster.js';
import { invalidCredentialSources } from './invalid-credential-sources.js';
import { invalidProxyHosts } from './invalid-proxy-hosts.js';
import { invalidEgressPolicies } from './invalid-egress-policies.js';
import {
  awsSpec,
  credentialSource,
  egressPolicy,
  httpSpec,
  type Manifest,
  policySpec,
  validVariants,
} from './manifests.js';

let namespace = '';

beforeAll(async () => {
  namespace = await createNamespace('crd-validation');
});

function apply(manifest: Manifest, ...flags: string[]): Promise<CommandResult> {
  return kubectl(['apply', ...flags, '-f', '-'], { input: JSON.stringify(manifest), namespace });
}

/** The individual field errors of a kubectl "is invalid" message. */
function fieldErrors(stderr: string): string[] {
  const marker = ' is invalid: ';
  const at = stderr.indexOf(marker);
  if (at === -1) return [stderr];
  return stderr
    .slice(at + marker.length)
    .split('\n')
    .map((line) => line.replace(/^\* /, '').trim())
    .filter((line) => line !== '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('valid specs', () => {
  it.each([
    ['an http source', credentialSource(httpSpec)],
    ['an aws source', credentialSource(awsSpec, 's3')],
    ['a policy', egressPolicy(policySpec)],
  ])('accepts %s that the invalid cases are derived from', async (_what, manifest) => {
    const result = await apply(manifest, '--dry-run=server');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it.each(validVariants)('accepts %s', async (_what, manifest) => {
    const result = await apply(manifest, '--dry-run=server');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('fills in the documented defaults', async () => {
    const policy = egressPolicy({ workloads: policySpec.workloads, rules: policySpec.rules });
    const source = credentialSource({ ...awsSpec, aws: { webIdentity: { roleArn: awsSpec.aws.webIdentity.roleArn } } });
    const [appliedPolicy, appliedSource] = await Promise.all([
      apply(policy, '--dry-run=server', '-o', 'json'),
      apply(source, '--dry-run=server', '-o', 'json'),
    ]);
    expect(JSON.parse(appliedPolicy.stdout)).toMatchObject({ spec: { mode: 'Enforce' } });
    expect(JSON.parse(appliedSource.stdout)).toMatchObject({
      spec: {
        aws: {
          allowPlaintextEndpoint: false,
          useFipsEndpoint: false,
          useDualstackEndpoint: false,
          webIdentity: { sessionDurationSeconds: 3600, tokenAudience: 'sts.amazonaws.com' },
        },
      },
    });
  });
});

describe.each([
  ['CredentialSource', [...invalidCredentialSources, ...invalidProxyHosts]],
  ['EgressPolicy', invalidEgressPolicies],
])('an invalid %s', (_kind, cases) => {
  it.each(cases)('is rejected for $name', async ({ manifest, field, message }) => {
    const result = await apply(manifest, '--dry-run=server');
    expect({ errors: fieldErrors(result.stderr) }).toEqual({
      errors: expect.arrayContaining([expect.stringMatching(`^${escapeRegExp(field)}: .*${escapeRegExp(message)}`)]),
    });
    expect(result.code).not.toBe(0);
  });
});

describe('an existing CredentialSource', () => {
  it('keeps its port and type, because injected pods already use them', async () => {
    const created = await apply(credentialSource(httpSpec, 'immutable'));
    expect(created.stderr).toBe('');

    const moved = await apply(credentialSource({ ...httpSpec, port: httpSpec.port + 1 }, 'immutable'));
    expect(fieldErrors(moved.stderr)).toEqual([expect.stringMatching(/^spec\.port: .*spec\.port is immutable/)]);

    const retyped = await apply(credentialSource({ ...awsSpec, port: httpSpec.port }, 'immutable'));
    expect(fieldErrors(retyped.stderr)).toEqual([expect.stringMatching(/^spec\.type: .*spec\.type is immutable/)]);
  });
});

it('has at least 18 distinct rejected specs', () => {
  const all = [...invalidCredentialSources, ...invalidProxyHosts, ...invalidEgressPolicies];
  expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
  expect(all.length).toBeGreaterThanOrEqual(18);
});
