import { describe, expect, it } from '@jest/globals';
import type { CredentialSource, EgressPolicy } from '@portcullis/shared';
import { nextStatus, policyReadiness, sourceReadiness, type SecretLookup } from './conditions.js';

const source = (name: string, port: number, secret = { name: 'openai', key: 'api-key' }): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name, namespace: 'team-a', generation: 1 },
  spec: { type: 'http', port, http: { preset: 'openai', secretRef: secret } },
});
const secrets: SecretLookup = (_ns, name) => (name === 'openai' ? { found: true, keys: new Set(['api-key']) } : { found: false });

describe('sourceReadiness', () => {
  it('is Ready when the spec is valid, the port is free and the Secret has the key', () => {
    expect(sourceReadiness(source('a', 1), [source('a', 1)], secrets)).toMatchObject({ status: 'True', reason: 'Valid' });
  });

  it('reports PortConflict on both sources sharing a port', () => {
    const a = source('a', 18080);
    const b = source('b', 18080);
    expect(sourceReadiness(a, [a, b], secrets)).toMatchObject({ status: 'False', reason: 'PortConflict', message: expect.stringMatching(/used by CredentialSource b/) as unknown });
    expect(sourceReadiness(b, [a, b], secrets).reason).toBe('PortConflict');
  });

  it('reports SecretNotFound and KeyNotFound with what to create', () => {
    expect(sourceReadiness(source('a', 1, { name: 'gone', key: 'k' }), [], secrets)).toMatchObject({ reason: 'SecretNotFound', message: expect.stringMatching(/create it with the key\(s\) k/) as unknown });
    expect(sourceReadiness(source('a', 1, { name: 'openai', key: 'other' }), [], secrets)).toMatchObject({ reason: 'KeyNotFound' });
  });

  it('says Unknown when the Secret could not be read, and skips the check when disabled', () => {
    expect(sourceReadiness(source('a', 1), [], () => ({ error: 'HTTP 403' })).status).toBe('Unknown');
    expect(sourceReadiness(source('a', 1, { name: 'gone', key: 'k' }), [], undefined).status).toBe('True');
  });

  it('reports InvalidSpec for a source the sidecar would refuse', () => {
    const bad: CredentialSource = { ...source('a', 1), spec: { type: 'http', port: 1, http: { upstream: 'http://plain.example', injection: { type: 'Bearer' }, secretRef: { name: 'openai', key: 'api-key' } } } };
    expect(sourceReadiness(bad, [], secrets)).toMatchObject({ reason: 'InvalidSpec', message: expect.stringMatching(/https/) as unknown });
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
    expect(policyReadiness(policy(['s3', '*', 'gone']), new Set(['s3']))).toMatchObject({ status: 'False', reason: 'SourceNotFound', message: expect.stringMatching(/^CredentialSource gone not found/) as unknown });
    expect(policyReadiness(policy(['s3', '*']), new Set(['s3'])).status).toBe('True');
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
