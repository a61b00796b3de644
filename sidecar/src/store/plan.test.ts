import { describe, expect, it } from '@jest/globals';
import type { CredentialSource } from '@portcullis/shared';
import { planSources } from './plan.js';

const http = (name: string, port: number): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name, namespace: 'ns' },
  spec: { type: 'http', port, http: { preset: 'openai', secretRef: { name: 's', key: 'k' } } },
});

describe('planSources', () => {
  it('serves neither of two sources that share a port, and says why', () => {
    const plan = planSources([http('a', 18080), http('b', 18080), http('c', 18081)], undefined);
    expect(plan.usable.map((s) => s.name)).toEqual(['c']);
    expect(plan.problems).toEqual([
      { source: 'a', port: 18080, message: 'port 18080 is also used by b; give each source its own port' },
      { source: 'b', port: 18080, message: 'port 18080 is also used by a; give each source its own port' },
    ]);
  });

  it('serves aws sources and reports a broken one without dropping the others', () => {
    const aws = (name: string, port: number, roleArn: string): CredentialSource => ({
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'CredentialSource',
      metadata: { name, namespace: 'ns' },
      spec: { type: 'aws', port, aws: { webIdentity: { roleArn } } },
    });
    const plan = planSources([aws('good', 1, 'arn:aws:iam::123456789012:role/r'), aws('bad', 2, 'arn:aws:iam::1:role/r'), http('h', 3)], undefined);
    expect(plan.usable.map((s) => `${s.type}:${s.name}`)).toEqual(['aws:good', 'http:h']);
    expect(plan.problems).toEqual([{ source: 'bad', port: 2, message: expect.stringContaining('is not an IAM role ARN') }]);
  });

  it('keeps only the configured subset and reports names that do not exist', () => {
    const plan = planSources([http('a', 1), http('b', 2)], new Set(['b', 'missing']));
    expect(plan.usable.map((s) => s.name)).toEqual(['b']);
    expect(plan.problems).toEqual([{ source: 'missing', port: undefined, message: 'no CredentialSource of this name in the namespace' }]);
  });
});
