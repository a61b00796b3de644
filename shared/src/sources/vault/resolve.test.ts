import { describe, expect, it } from '@jest/globals';
import type { AwsVaultOrigin, CredentialSource, HttpVaultOrigin } from '../../crd/index.js';
import { resolveSource, secretKeysOf, vaultAudienceOf } from '../resolve-source.js';
import { resolveAwsVault, resolveHttpVault } from './resolve.js';

const base: HttpVaultOrigin = { address: 'https://vault.example.com:8200', auth: { kubernetes: { role: 'reports' } }, kv: { path: 'teams/a/openai', field: 'api-key' } };

describe('resolveHttpVault', () => {
  it('applies the defaults: kv mount secret, auth mount kubernetes, audience vault, 30 s polling', () => {
    expect(resolveHttpVault(base)).toEqual({
      kind: 'vault',
      address: new URL('https://vault.example.com:8200'),
      namespace: undefined,
      caBundle: undefined,
      auth: { mount: 'kubernetes', role: 'reports', tokenAudience: 'vault' },
      kv: { mount: 'secret', path: 'teams/a/openai', field: 'api-key', pollIntervalMs: 30_000 },
    });
  });

  it.each([
    [{ address: 'http://vault.example.com' }, /must use https/],
    [{ address: 'https://vault.example.com/v1' }, /without a path/],
    [{ address: 'https://user:pw@vault.example.com' }, /user info/],
    [{ kv: { path: 'teams/../admin', field: 'k' } }, /not a secret path/],
    [{ kv: { path: '/teams/a', field: 'k' } }, /not a secret path/],
    [{ kv: { path: 'a', field: 'k', pollIntervalSeconds: 1 } }, /5\.\.3600/],
    [{ auth: { kubernetes: { role: 'r', mount: '../sys' } } }, /not a mount path/],
    [{ allowPlaintext: true, address: 'http://127.0.0.1:8200', caBundle: '-----BEGIN CERTIFICATE-----' }, /caBundle only applies/],
  ])('refuses %j (the CRD rejects it too; standalone files and old objects did not pass the API server)', (patch, message) => {
    expect(resolveHttpVault({ ...base, ...patch })).toMatch(message);
  });

  it('accepts plain http only with allowPlaintext', () => {
    expect(typeof resolveHttpVault({ ...base, address: 'http://127.0.0.1:8200', allowPlaintext: true })).toBe('object');
  });
});

describe('resolveAwsVault', () => {
  const conn = { address: base.address, auth: base.auth };
  it('defaults the KV fields to the names staticKeys uses', () => {
    const r = resolveAwsVault({ ...conn, kv: { path: 'aws/reports' } });
    expect(typeof r === 'object' && r.secret).toEqual({
      kind: 'kv', mount: 'secret', path: 'aws/reports', pollIntervalMs: 30_000,
      accessKeyIdField: 'AWS_ACCESS_KEY_ID', secretAccessKeyField: 'AWS_SECRET_ACCESS_KEY', sessionTokenField: undefined,
    });
  });

  it('defaults the secrets engine to mount aws and iam_user', () => {
    const r = resolveAwsVault({ ...conn, secretsEngine: { role: 'reader' } });
    expect(typeof r === 'object' && r.secret).toEqual({ kind: 'secretsEngine', mount: 'aws', role: 'reader', credentialType: 'iam_user', roleArn: undefined, ttlSeconds: undefined });
  });

  it.each([
    [{ ...conn }, /exactly one of kv or secretsEngine/],
    [{ ...conn, kv: { path: 'a' }, secretsEngine: { role: 'r' } }, /exactly one of kv or secretsEngine/],
    [{ ...conn, secretsEngine: { role: 'r', roleArn: 'arn:aws:iam::123456789012:role/x' } }, /only applies to credentialType assumed_role/],
  ])('refuses %j', (spec, message) => {
    expect(resolveAwsVault(spec as AwsVaultOrigin)).toMatch(message);
  });
});

describe('resolveSource with a vault origin', () => {
  const cs = (spec: CredentialSource['spec']): CredentialSource => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api' }, spec });

  it('gives an http source the vault origin, no Secret volume and the Vault token audience', () => {
    const r = resolveSource(cs({ type: 'http', port: 18080, http: { preset: 'openai', vault: { ...base, auth: { kubernetes: { role: 'r', tokenAudience: 'openbao' } } } } }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(r.source.type === 'http' && r.source.origin.kind).toBe('vault');
    expect(secretKeysOf(r.source)).toBeUndefined();
    expect(vaultAudienceOf(r.source)).toBe('openbao');
  });

  it('refuses an http source with both origins, or none', () => {
    const both = resolveSource(cs({ type: 'http', port: 18080, http: { preset: 'openai', secretRef: { name: 's', key: 'k' }, vault: base } }));
    const none = resolveSource(cs({ type: 'http', port: 18080, http: { preset: 'openai' } }));
    expect(!both.ok && both.problems[0]?.message).toMatch(/exactly one origin of secretRef, vault/);
    expect(!none.ok && none.problems[0]?.message).toMatch(/exactly one origin of secretRef, vault/);
  });

  it('keeps a Secret-backed source as it was: a Secret volume and no Vault audience', () => {
    const r = resolveSource(cs({ type: 'http', port: 18080, http: { preset: 'openai', secretRef: { name: 's', key: 'k' } } }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(secretKeysOf(r.source)).toEqual({ secretName: 's', keys: ['k'] });
    expect(vaultAudienceOf(r.source)).toBeUndefined();
  });

  it('gives an aws source the vault origin', () => {
    const r = resolveSource(cs({ type: 'aws', port: 19000, aws: { vault: { address: base.address, auth: base.auth, kv: { path: 'aws' } } } }));
    if (!r.ok) throw new Error(r.problems[0]?.message);
    expect(vaultAudienceOf(r.source)).toBe('vault');
    expect(secretKeysOf(r.source)).toBeUndefined();
  });
});
