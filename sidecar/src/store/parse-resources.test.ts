import { describe, expect, it } from '@jest/globals';
import { parseResources } from './parse-resources.js';

describe('parseResources', () => {
  it('reads our kinds from a multi-document file, skips others and defaults the namespace', () => {
    const text = `apiVersion: v1
kind: Secret
metadata: {name: key}
---
apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: openai}
spec: {type: http, port: 18080, http: {preset: openai, secretRef: {name: key, key: k}}}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: p, namespace: other}
spec: {workloads: {serviceAccounts: [a]}, rules: [{effect: Allow, source: openai}]}
`;
    const r = parseResources(text, 'f.yaml', 'team-a');
    expect(r.sources.map((s) => [s.metadata.name, s.metadata.namespace])).toEqual([['openai', 'team-a']]);
    expect(r.policies.map((p) => [p.metadata.name, p.metadata.namespace])).toEqual([['p', 'other']]);
  });

  it('names the file on a YAML error or a nameless object', () => {
    expect(() => parseResources('a: [', 'bad.yaml', 'ns')).toThrow(/bad.yaml/);
    expect(() => parseResources('apiVersion: portcullis.dev/v1alpha1\nkind: EgressPolicy\nspec: {}', 'x.yaml', 'ns')).toThrow(/x.yaml: a EgressPolicy needs metadata.name/);
  });
});
