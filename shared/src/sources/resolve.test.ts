import { describe, expect, it } from '@jest/globals';
import type { CredentialSource, CredentialSourceSpec } from '../crd/index.js';
import { PLACEHOLDER_CREDENTIAL } from './presets.js';
import { isSourceProblem, resolveHttpSource, sourceEnv } from './resolve.js';

const source = (spec: Partial<CredentialSourceSpec>): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name: 'api', namespace: 'team-a' },
  spec: { type: 'http', port: 18080, ...spec },
});

describe('resolveHttpSource', () => {
  it('applies the openai preset', () => {
    const r = resolveHttpSource(source({ http: { preset: 'openai', secretRef: { name: 's', key: 'k' } } }));
    if (isSourceProblem(r)) throw new Error(r.message);
    expect(r.upstream.href).toBe('https://api.openai.com/');
    expect(r.injection).toEqual({ type: 'Bearer' });
  });

  it('lets spec fields override the preset', () => {
    const r = resolveHttpSource(
      source({ http: { preset: 'github', upstream: 'https://ghe.example/api/v3', secretRef: { name: 's', key: 'k' } } }),
    );
    if (isSourceProblem(r)) throw new Error(r.message);
    expect(r.upstream.pathname).toBe('/api/v3');
  });

  it.each([
    [{ upstream: 'http://api.example' }, /must use https/],
    [{ upstream: 'not a url' }, /is not a URL/],
    [{ upstream: 'https://user:pw@api.example' }, /user info/],
    [{ upstream: 'https://api.example/?x=1' }, /query/],
  ])('reports a bad upstream %j instead of serving it', (http, message) => {
    const r = resolveHttpSource(source({ http: { ...http, injection: { type: 'Bearer' }, secretRef: { name: 's', key: 'k' } } }));
    expect(isSourceProblem(r) && r.message).toMatch(message);
  });

  it('accepts plain http only with allowPlaintextUpstream', () => {
    const r = resolveHttpSource(
      source({ http: { upstream: 'http://127.0.0.1:9999', allowPlaintextUpstream: true, injection: { type: 'Bearer' }, secretRef: { name: 's', key: 'k' } } }),
    );
    expect(isSourceProblem(r)).toBe(false);
  });

  it('reports a source without upstream or injection and no preset', () => {
    const r = resolveHttpSource(source({ http: { upstream: 'https://x.example', secretRef: { name: 's', key: 'k' } } }));
    expect(isSourceProblem(r) && r.message).toMatch(/injection is required/);
  });
});

describe('sourceEnv', () => {
  it('gives an openai source its base URL and a placeholder key', () => {
    expect(sourceEnv(source({ http: { preset: 'openai', secretRef: { name: 's', key: 'k' } } }))).toEqual([
      { name: 'OPENAI_BASE_URL', value: 'http://127.0.0.1:18080/v1' },
      { name: 'OPENAI_API_KEY', value: PLACEHOLDER_CREDENTIAL },
    ]);
  });

  it('gives an aws source the endpoint and placeholder keys, with spec.env overriding and adding', () => {
    const env = sourceEnv(
      source({
        type: 'aws',
        port: 19000,
        aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/r' } },
        env: [{ name: 'AWS_REGION', value: 'eu-west-1' }, { name: 'AWS_ENDPOINT_URL', value: '$(PORTCULLIS_URL)/' }],
      }),
    );
    expect(env).toContainEqual({ name: 'AWS_ENDPOINT_URL', value: 'http://127.0.0.1:19000/' });
    expect(env).toContainEqual({ name: 'AWS_ACCESS_KEY_ID', value: PLACEHOLDER_CREDENTIAL });
    expect(env).toContainEqual({ name: 'AWS_REGION', value: 'eu-west-1' });
  });
});
