import { describe, expect, it } from '@jest/globals';
import type { CredentialSource, HttpOAuth2Origin } from '../../crd/index.js';
import { originTokenOf, resolveSource, secretKeysOf } from '../resolve-source.js';
import { resolveHttpOAuth2 } from './resolve.js';

const clientCredentials: HttpOAuth2Origin = {
  tokenEndpoint: 'https://auth.example.com/oauth2/token',
  grant: 'ClientCredentials',
  clientId: 'reports',
  clientAuthentication: { method: 'ClientSecretBasic', secretRef: { name: 'reports-oauth', key: 'client-secret' } },
};
const jwtBearer: HttpOAuth2Origin = { tokenEndpoint: 'https://auth.example.com/oauth2/token', grant: 'JwtBearer', scopes: ['reports.read'] };

const source = (oauth2: HttpOAuth2Origin, extra: object = {}): CredentialSource => ({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'api', namespace: 'a' }, spec: { type: 'http', port: 18080, http: { upstream: 'https://api.example.com', oauth2, ...extra } } });

describe('resolveHttpOAuth2', () => {
  it('resolves client credentials with a client secret: no projected token, the Secret mounted for the sidecar', () => {
    expect(resolveHttpOAuth2({ ...clientCredentials, scopes: ['a', 'b'], audiences: ['https://api.example.com'], resources: ['https://api.example.com/x'] })).toEqual({
      kind: 'oauth2',
      server: { kind: 'tokenEndpoint', tokenEndpoint: new URL('https://auth.example.com/oauth2/token') },
      caBundle: undefined,
      grant: 'client_credentials',
      clientAuth: { method: 'client_secret_basic', clientId: 'reports', secretName: 'reports-oauth', secretKey: 'client-secret' },
      scopes: ['a', 'b'],
      audiences: ['https://api.example.com'],
      resources: ['https://api.example.com/x'],
      originToken: undefined,
    });
  });

  it('resolves a secretless jwt-bearer source: the pod token of the token endpoint audience, no client, no Secret', () => {
    const r = resolveSource(source(jwtBearer));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(originTokenOf(r.source)).toEqual({ audience: 'https://auth.example.com/oauth2/token' });
    expect(secretKeysOf(r.source)).toBeUndefined();
    expect(r.source.type === 'http' && r.source.injection).toEqual({ type: 'Bearer' });
  });

  it('takes the assertion audience as given, and requires it with an issuer (discovery happens in the sidecar, the webhook mounts the token)', () => {
    expect(resolveHttpOAuth2({ grant: 'JwtBearer', issuer: 'https://auth.example.com/', scopes: ['reports.read'] })).toMatch(/needs assertion.tokenAudience/);
    const r = resolveHttpOAuth2({ grant: 'JwtBearer', issuer: 'https://auth.example.com/', assertion: { tokenAudience: 'https://auth.example.com' } });
    expect(typeof r !== 'string' && r.originToken).toEqual({ audience: 'https://auth.example.com' });
  });

  it('mounts the client secret or key Secret for the sidecar (secretKeysOf)', () => {
    const r = resolveSource(source({ ...clientCredentials, clientAuthentication: { method: 'PrivateKeyJwt', secretRef: { name: 'k', key: 'key.pem' }, signingAlgorithm: 'ES256' } }));
    expect(r.ok && secretKeysOf(r.source)).toEqual({ secretName: 'k', keys: ['key.pem'] });
  });

  it.each([
    [{ tokenEndpoint: 'http://auth.example.com/token' }, /must use https/],
    [{ tokenEndpoint: 'https://u:p@auth.example.com/token' }, /user info/],
    [{ issuer: 'https://auth.example.com/' }, /exactly one of issuer or tokenEndpoint/],
    [{ allowPlaintext: true, tokenEndpoint: 'http://127.0.0.1/token', caBundle: '-----BEGIN CERTIFICATE-----' }, /caBundle only applies/],
    [{ clientAuthentication: undefined }, /needs clientAuthentication/],
    [{ clientAuthentication: { method: 'None' } }, /needs clientAuthentication/],
    [{ clientId: undefined }, /clientId is required/],
    [{ clientAuthentication: { method: 'ClientSecretPost' } }, /secretRef is required/],
    [{ clientAuthentication: { method: 'ClientSecretPost', secretRef: { name: 'a', key: 'b' }, keyId: 'k' } }, /only apply to method PrivateKeyJwt/],
    [{ scopes: ['a b'] }, /not a scope token/],
    [{ resources: ['/relative'] }, /absolute URI/],
    [{ assertion: { tokenAudience: 'x' } }, /only applies to grant JwtBearer/],
  ])('refuses %j (the CRD rejects it too)', (patch, message) => {
    expect(resolveHttpOAuth2({ ...clientCredentials, ...patch } as HttpOAuth2Origin)).toMatch(message);
  });

  it('refuses a source with oauth2 and another origin, and defaults the injection to Bearer only for oauth2', () => {
    expect(resolveSource(source(clientCredentials, { secretRef: { name: 'a', key: 'b' } }))).toMatchObject({ ok: false, problems: [{ message: expect.stringMatching(/exactly one origin of secretRef, vault, azureWorkloadIdentity, gcpWorkloadIdentity, githubApp, oauth2/) }] });
    const header = resolveSource(source(clientCredentials, { injection: { type: 'Header', header: { name: 'X-Token' } } }));
    expect(header.ok && header.source.type === 'http' && header.source.injection).toEqual({ type: 'Header', header: { name: 'X-Token' } });
  });
});
