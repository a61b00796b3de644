import { describe, expect, it } from '@jest/globals';
import { createResourceValidator } from '@portcullis/shared';
import { parseResources, YamlSyntaxError } from './parse-resources.js';

const validator = createResourceValidator();

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
    const r = parseResources(text, 'f.yaml', 'team-a', validator);
    expect(r.candidates.map((c) => [c.kind, c.key, 'object' in c])).toEqual([
      ['CredentialSource', 'team-a/openai', true],
      ['EgressPolicy', 'other/p', true],
    ]);
    expect(r.problems).toEqual([]);
  });

  it('rejects an invalid object alone, naming the file, the field and what kubectl apply would say', () => {
    const text = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: typo}
spec: {workloads: {serviceAccounts: platform-agent-admins}, rules: [{effect: Allow, source: api}]}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: fine}
spec: {workloads: {serviceAccounts: [agent]}, rules: [{effect: Allow, source: api}]}
`;
    const [typo, fine] = parseResources(text, 'p.yaml', 'team-a', validator).candidates;
    expect(typo).toMatchObject({
      key: 'team-a/typo',
      rejection: {
        kind: 'EgressPolicy',
        origin: 'p.yaml',
        field: 'spec.workloads.serviceAccounts',
        message: 'The EgressPolicy "typo" is invalid: spec.workloads.serviceAccounts: Invalid value: "string": spec.workloads.serviceAccounts in body must be of type array: "string"',
      },
    });
    expect(fine).toMatchObject({ key: 'team-a/fine', object: { spec: { mode: 'Enforce' } } });
  });

  it('rejects a nameless object without a key, so it can hold nothing', () => {
    const [c] = parseResources('apiVersion: portcullis.dev/v1alpha1\nkind: EgressPolicy\nspec: {}', 'x.yaml', 'ns', validator).candidates;
    expect(c).toMatchObject({ key: undefined, rejection: { message: expect.stringContaining('metadata.name: Required value') } });
  });

  it('reports a document of our group with an unknown kind instead of skipping it', () => {
    const r = parseResources('apiVersion: portcullis.dev/v1alpha1\nkind: EgresPolicy\nmetadata: {name: p}\n', 'k.yaml', 'ns', validator);
    expect(r.candidates).toEqual([]);
    expect(r.problems).toEqual([{ kind: 'file', key: undefined, origin: 'k.yaml', field: undefined, message: expect.stringContaining('k.yaml: document 1: no kind "EgresPolicy"') }]);
  });

  it('throws on a YAML error with the file, line and column, without quoting the text', () => {
    const run = (): unknown => parseResources('a: 1\nsecret: [sk-live-123', 'bad.yaml', 'ns', validator);
    expect(run).toThrow(YamlSyntaxError);
    expect(run).toThrow(/^bad\.yaml:\d+:\d+: /);
    expect(run).not.toThrow(/sk-live-123/);
  });
});
