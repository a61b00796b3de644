// CredentialSource specs with an oauth2 origin the API server must refuse (spec.http.oauth2's CEL rules
// and patterns), each one field away from a valid spec.
import { credentialSource as cs, httpSpec, type InvalidCase } from './manifests.js';

export const oauth2 = {
  tokenEndpoint: 'https://auth.example.com/oauth2/token',
  grant: 'ClientCredentials',
  clientId: 'reports',
  clientAuthentication: { method: 'ClientSecretBasic', secretRef: { name: 'reports-oauth', key: 'client-secret' } },
};
const oauth2Http = { upstream: httpSpec.http.upstream, oauth2 };

export const invalidOAuth2Sources: readonly InvalidCase[] = [
  {
    name: 'an oauth2 origin with both issuer and tokenEndpoint',
    manifest: cs({ ...httpSpec, http: { ...oauth2Http, oauth2: { ...oauth2, issuer: 'https://auth.example.com/' } } }),
    field: 'spec.http.oauth2',
    message: 'oauth2 sets both issuer and tokenEndpoint; keep one',
  },
  {
    name: 'a plaintext token endpoint without allowPlaintext',
    manifest: cs({ ...httpSpec, http: { ...oauth2Http, oauth2: { ...oauth2, tokenEndpoint: 'http://auth.example.com/oauth2/token' } } }),
    field: 'spec.http.oauth2',
    message: 'oauth2.issuer or oauth2.tokenEndpoint must use https://',
  },
  {
    name: 'client credentials without client authentication',
    manifest: cs({ ...httpSpec, http: { ...oauth2Http, oauth2: { tokenEndpoint: oauth2.tokenEndpoint, grant: 'ClientCredentials', clientId: 'reports' } } }),
    field: 'spec.http.oauth2.clientAuthentication',
    message: 'oauth2 grant ClientCredentials needs clientAuthentication',
  },
  {
    name: 'a client secret method without its secretRef',
    manifest: cs({ ...httpSpec, http: { ...oauth2Http, oauth2: { ...oauth2, clientAuthentication: { method: 'ClientSecretPost' } } } }),
    field: 'spec.http.oauth2.clientAuthentication.secretRef',
    message: 'oauth2.clientAuthentication.secretRef is required with method ClientSecretPost',
  },
  {
    name: 'a jwt-bearer grant with an issuer and no assertion audience',
    manifest: cs({ ...httpSpec, http: { ...oauth2Http, oauth2: { issuer: 'https://auth.example.com/', grant: 'JwtBearer' } } }),
    field: 'spec.http.oauth2.assertion',
    message: 'oauth2 grant JwtBearer with an issuer needs assertion.tokenAudience',
  },
  {
    name: 'a scope with a space',
    manifest: cs({ ...httpSpec, http: { ...oauth2Http, oauth2: { ...oauth2, scopes: ['a b'] } } }),
    field: 'spec.http.oauth2.scopes[0]',
    message: 'should match',
  },
];
