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

  it('keeps only the configured subset and reports names that do not exist', () => {
    const plan = planSources([http('a', 1), http('b', 2)], new Set(['b', 'missing']));
    expect(plan.usable.map((s) => s.name)).toEqual(['b']);
    expect(plan.problems).toEqual([{ source: 'missing', port: undefined, message: 'no CredentialSource of this name in the namespace' }]);
  });
});
