import { describe, expect, it } from '@jest/globals';
import { normalizeHost, type CredentialSource } from '@portcullis/shared';
import type { SourceRuntime } from '../sources/runtime.js';
import { planSources } from './plan.js';
import { presetHosts, servedHosts } from './served-hosts.js';

const cs = (name: string, port: number, spec: Partial<CredentialSource['spec']>): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name, namespace: 'ns' },
  spec: { type: 'aws', port, ...spec },
});
const aws = (name: string, port: number, proxyHosts?: string[]): CredentialSource =>
  cs(name, port, { type: 'aws', aws: { staticKeys: { secretRef: { name: 'k' } } }, ...(proxyHosts ? { proxyHosts } : {}) });
const openai = (name: string, port: number, upstream: string, proxyHosts?: string[]): CredentialSource =>
  cs(name, port, { type: 'http', http: { preset: 'openai', upstream, secretRef: { name: 's', key: 'k' } }, ...(proxyHosts ? { proxyHosts } : {}) });

/** The lookup the proxy port uses, over stand-in runtimes that carry only what it reads (name, upstream). */
function lookup(sources: CredentialSource[]): (host: string) => string | undefined {
  const plan = planSources(sources, undefined);
  expect(plan.problems).toEqual([]);
  const runtimes = new Map<string, SourceRuntime>();
  for (const r of plan.usable) {
    const upstream = r.type === 'http' ? r.upstream : new URL('https://amazonaws.com');
    runtimes.set(r.name, { name: r.name, upstream } as unknown as SourceRuntime);
  }
  const find = servedHosts(plan.usable, runtimes, presetHosts(sources as never));
  return (host) => find(normalizeHost(host) ?? host)?.name;
}

describe('servedHosts: which source a CONNECT host is terminated for', () => {
  it('serves every *.amazonaws.com name by an aws source and the upstream and preset hosts by an http source', () => {
    const find = lookup([aws('s3', 20001), openai('llm', 20002, 'https://llm.internal.example')]);
    expect(find('s3.eu-west-1.amazonaws.com')).toBe('s3');
    expect(find('data.s3.eu-west-1.amazonaws.com')).toBe('s3');
    expect(find('api.openai.com')).toBe('llm');
    expect(find('llm.internal.example')).toBe('llm');
    expect(find('amazonaws.com')).toBeUndefined();
    expect(find('example.com')).toBeUndefined();
  });

  it('lets a listed wildcard win over another aws source that sorts first by name', () => {
    const find = lookup([aws('a-dynamo', 20001), aws('z-s3', 20002, ['s3.eu-west-1.amazonaws.com', '*.s3.eu-west-1.amazonaws.com'])]);
    expect(find('s3.eu-west-1.amazonaws.com')).toBe('z-s3');
    expect(find('my-bucket.s3.eu-west-1.amazonaws.com')).toBe('z-s3');
    expect(find('MY-BUCKET.S3.EU-WEST-1.AMAZONAWS.COM.')).toBe('z-s3');
    // Other regions and services stay with the default: the name order picks a-dynamo.
    expect(find('s3.us-east-1.amazonaws.com')).toBe('a-dynamo');
    expect(find('dynamodb.eu-west-1.amazonaws.com')).toBe('a-dynamo');
  });

  it('prefers an exact listed name over a listed wildcard, and a longer wildcard over a shorter one', () => {
    const find = lookup([
      aws('a', 20001, ['*.amazonaws.com']),
      aws('b', 20002, ['*.s3.eu-west-1.amazonaws.com']),
      aws('c', 20003, ['reports.s3.eu-west-1.amazonaws.com']),
    ]);
    expect(find('reports.s3.eu-west-1.amazonaws.com')).toBe('c');
    expect(find('other.s3.eu-west-1.amazonaws.com')).toBe('b');
    expect(find('sqs.eu-west-1.amazonaws.com')).toBe('a');
  });

  it('serves a real API host for an http source whose upstream points elsewhere', () => {
    const find = lookup([cs('gw', 20001, { type: 'http', http: { upstream: 'https://gateway.internal', injection: { type: 'Bearer' }, secretRef: { name: 's', key: 'k' } }, proxyHosts: ['api.example.com'] })]);
    expect(find('api.example.com')).toBe('gw');
    expect(find('gateway.internal')).toBe('gw');
    expect(find('x.api.example.com')).toBeUndefined();
  });
});

describe('spec.proxyHosts in resolveSource', () => {
  it('refuses "*", a wildcard over a top-level domain, a wildcard inside a name and a single label, naming the entry', () => {
    for (const bad of ['*', '*.com', 'api.*.com', 'localhost', 'a b.example.com', '*.']) {
      const plan = planSources([aws('s3', 20001, [bad])], undefined);
      expect(plan.usable).toEqual([]);
      expect(plan.problems).toEqual([{ source: 's3', port: 20001, message: expect.stringContaining(`spec.proxyHosts entry ${JSON.stringify(bad)}`) }]);
    }
  });

  it('normalizes case and a trailing dot, and drops duplicates', () => {
    const plan = planSources([aws('s3', 20001, ['S3.EU-WEST-1.amazonaws.com.', 's3.eu-west-1.amazonaws.com', '*.S3.eu-west-1.amazonaws.com'])], undefined);
    expect(plan.usable[0]?.proxyHosts).toEqual(['s3.eu-west-1.amazonaws.com', '*.s3.eu-west-1.amazonaws.com']);
  });
});
