import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import type { CrdSchemas } from '../schema-types.js';
import { ajvSchemaCompiler } from './compile-schema.js';
import { createResourceValidator } from './validate-resource.js';

const validator = createResourceValidator();
const examplesDir = fileURLToPath(new URL('../../../../examples/', import.meta.url));

const policy = (spec: unknown, metadata: object = { name: 'p', namespace: 'team-a' }): object => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'EgressPolicy',
  metadata,
  spec,
});
const source = (spec: unknown, name = 'api'): object => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name }, spec });
const allowApi = [{ effect: 'Allow', source: 'api' }];

function refusal(kind: 'EgressPolicy' | 'CredentialSource', object: unknown): { errors: readonly string[]; message: string } {
  const result = validator.validate(kind, object);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(object)}`);
  return result;
}

describe('createResourceValidator', () => {
  it.each(readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')))('accepts every object in examples/%s', (file) => {
    const docs = parseAllDocuments(readFileSync(examplesDir + file, 'utf8')).map((d) => d.toJS() as { kind?: string });
    const ours = docs.filter((d): d is { kind: 'EgressPolicy' | 'CredentialSource' } => d.kind === 'EgressPolicy' || d.kind === 'CredentialSource');
    expect(ours.length).toBeGreaterThan(0);
    for (const doc of ours) {
      const result = validator.validate(doc.kind, doc);
      expect(result.ok ? 'ok' : result.message).toBe('ok');
    }
  });

  it('refuses, and does not throw on, an apiVersion that is an object with a non-callable toString (from YAML: {toString: 0})', () => {
    const result = createResourceValidator().validate('EgressPolicy', { apiVersion: { toString: 0 }, kind: 'EgressPolicy', metadata: { name: 'p' }, spec: {} });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain('{\\"toString\\":0}');
  });

  it('refuses a string where the CRD says list, in kubectl apply words', () => {
    const r = refusal('EgressPolicy', policy({ workloads: { serviceAccounts: 'platform-agent-admins' }, rules: allowApi }));
    expect(r.message).toBe(
      'The EgressPolicy "p" is invalid: spec.workloads.serviceAccounts: Invalid value: "string": ' +
        'spec.workloads.serviceAccounts in body must be of type array: "string"',
    );
  });

  it('refuses rules that are not a list, naming the field', () => {
    expect(refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a'] }, rules: 'allow everything' })).errors).toEqual([
      'spec.rules: Invalid value: "string": spec.rules in body must be of type array: "string"',
    ]);
  });

  it('refuses null where the CRD does not allow it (a null list never means "match everything")', () => {
    const r = refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a'] }, rules: [{ effect: 'Allow', source: 'api', paths: null }] }));
    expect(r.errors).toEqual(['spec.rules[0].paths: Invalid value: "null": spec.rules[0].paths in body must be of type array: "null"']);
  });

  it('refuses unknown fields, as kubectl apply --validate=strict does (a misspelt condition must not match everything)', () => {
    const r = refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a'] }, rules: [{ effect: 'Allow', source: 'api', path: ['/x'] }] }));
    expect(r.errors).toEqual(['unknown field "spec.rules[0].path"']);
  });

  it('reports required fields, enums and bounds', () => {
    expect(refusal('CredentialSource', source({ type: 'ftp', port: 80 })).errors).toEqual([
      'spec.port: Invalid value: 80: spec.port in body should be greater than or equal to 1024',
      'spec.type: Unsupported value: "ftp": supported values: "aws", "http"',
    ]);
    expect(refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a'] } })).errors).toEqual(['spec.rules: Required value: spec must set rules (calls through CredentialSources), egress (tunnels to hosts without a source, in HTTPS_PROXY mode) or both']);
    expect(refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a'] }, rules: allowApi }, { namespace: 'x' })).errors).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('evaluates the CEL rules with their reason, fieldPath and messageExpression', () => {
    const r = refusal('CredentialSource', source({ type: 'aws', port: 18080, aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/r' } }, http: { preset: 'openai', secretRef: { name: 's', key: 'k' } } }));
    expect(r.errors).toEqual(['spec.http: Forbidden: spec.http must not be set when spec.type is aws; remove spec.http or set spec.type: http']);
    const p = refusal('EgressPolicy', policy({ workloads: {}, rules: [{ effect: 'Allow', source: 'API', methods: ['*', 'GET'] }] }));
    expect(p.errors).toEqual([
      'spec.workloads: Required value: spec.workloads must set serviceAccounts or podSelector (podSelector: {} selects every pod in the namespace)',
      'spec.rules[0].source: Invalid value: "string": source "API" must be the name of a CredentialSource (a DNS-1123 label such as openai-prod) or "*" for every source',
      'spec.rules[0].methods: Invalid value: "array": methods "*" already matches every method; list it alone',
    ]);
  });

  it('evaluates rules over lists, maps and optional fields', () => {
    const dup = refusal('EgressPolicy', policy({ workloads: { podSelector: { matchLabels: { app: 'bad value!' } } }, rules: [{ name: 'a', effect: 'Allow', source: 'api' }, { name: 'a', effect: 'Deny', source: 'api' }] }));
    expect(dup.errors).toHaveLength(2);
    expect(dup.errors[0]).toBe(
      'spec.workloads.podSelector.matchLabels: Invalid value: "object": spec.workloads.podSelector.matchLabels values must be label values: ' +
        'at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
    );
    expect(dup.errors[1]).toBe('spec.rules: Invalid value: "array": spec.rules names must be unique within the policy; rename or merge the duplicates');
    const plain = { type: 'http', port: 18080, http: { upstream: 'http://api.internal', injection: { type: 'Bearer' }, secretRef: { name: 's', key: 'k' } } };
    expect(refusal('CredentialSource', source(plain)).errors).toEqual([
      'spec.http.upstream: Forbidden: spec.http.upstream "http://api.internal" must use https:// so the credential is not sent in clear text; set allowPlaintextUpstream: true only for tests and in-cluster upstreams',
    ]);
    expect(validator.validate('CredentialSource', source({ ...plain, http: { ...plain.http, allowPlaintextUpstream: true } })).ok).toBe(true);
  });

  it('refuses duplicates in a set list', () => {
    expect(refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a', 'b', 'a'] }, rules: allowApi })).errors).toEqual([
      'spec.workloads.serviceAccounts[2]: Duplicate value: "a"',
    ]);
  });

  it('accepts spec.aws.services with known services and refuses unknown or repeated ones', () => {
    const aws = (services: unknown): object => source({ type: 'aws', port: 19000, aws: { staticKeys: { secretRef: { name: 'k' } }, services } });
    expect(validator.validate('CredentialSource', aws(['s3', 'dynamodb'])).ok).toBe(true);
    expect(refusal('CredentialSource', aws(['s3', 'dynamo'])).errors).toEqual([
      'spec.aws.services[1]: Unsupported value: "dynamo": supported values: "s3", "dynamodb", "sqs", "sns", "sts", "kms", "secretsmanager", "ssm", "lambda", "kinesis", "logs", "events"',
    ]);
    expect(refusal('CredentialSource', aws(['s3', 'sqs', 's3'])).errors).toEqual([
      'spec.aws.services: Invalid value: "array": spec.aws.services lists a service twice; name each service once',
    ]);
    expect(refusal('CredentialSource', aws([])).errors[0]).toContain('spec.aws.services is empty');
  });

  it('refuses names the API server would refuse', () => {
    expect(refusal('EgressPolicy', policy({ workloads: { serviceAccounts: ['a'] }, rules: allowApi }, { name: 'Bad_Name' })).errors[0]).toMatch(
      /^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
  });

  it('applies the defaults, returns a frozen copy and leaves the input alone', () => {
    const input = policy({ workloads: { serviceAccounts: ['a'] }, rules: allowApi }) as { spec: { mode?: string } };
    const result = validator.validate('EgressPolicy', input);
    if (!result.ok) throw new Error(result.message);
    expect(result.object.spec.mode).toBe('Enforce');
    expect(input.spec.mode).toBeUndefined();
    expect(Object.isFrozen(result.object.spec.workloads.serviceAccounts)).toBe(true);
  });

  it('refuses what is not an object of the kind', () => {
    expect(refusal('EgressPolicy', 'kind: EgressPolicy').errors).toEqual(['<root>: Invalid value: "string": must be an object']);
    expect(refusal('EgressPolicy', { ...policy({ workloads: { serviceAccounts: ['a'] }, rules: allowApi }), kind: 'CredentialSource' }).errors[0]).toMatch(/^apiVersion, kind: Invalid value/);
  });

  it('refuses an object whose rule cannot be evaluated, instead of skipping the rule', () => {
    const schemas = {
      CredentialSource: { apiVersion: 'x/v1', schema: { type: 'object' } },
      EgressPolicy: { apiVersion: 'x/v1', schema: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.spec.missing == 1', message: 'needs missing' }] } },
    } satisfies CrdSchemas;
    const r = createResourceValidator(schemas, ajvSchemaCompiler()).validate('EgressPolicy', { apiVersion: 'x/v1', kind: 'EgressPolicy', metadata: { name: 'a' }, spec: {} });
    expect(r.ok ? 'accepted' : r.errors[0]).toMatch(/^: Invalid value: "object": the rule could not be evaluated \(No such key: missing\); needs missing$/);
  });

  it('refuses to build when a CRD rule uses a function the CEL library lacks', () => {
    const schemas = {
      CredentialSource: { apiVersion: 'x/v1', schema: { type: 'object', properties: { spec: { type: 'string', 'x-kubernetes-validations': [{ rule: 'isCIDR(self)' }] } } } },
      EgressPolicy: { apiVersion: 'x/v1', schema: { type: 'object' } },
    } satisfies CrdSchemas;
    expect(() => createResourceValidator(schemas, ajvSchemaCompiler())).toThrow(/^spec: the CEL rule "isCIDR\(self\)" cannot be evaluated here: found no matching overload/);
  });

  it('refuses schemas of its own without a compiler: only CRD_SCHEMAS are precompiled', () => {
    const schemas = {
      CredentialSource: { apiVersion: 'x/v1', schema: { type: 'object' } },
      EgressPolicy: { apiVersion: 'x/v1', schema: { type: 'object' } },
    } satisfies CrdSchemas;
    expect(() => createResourceValidator(schemas)).toThrow(/^CredentialSource: this schema has no precompiled validator; pass a schema compiler/);
  });
});
