import type { HttpOAuth2Origin, OAuth2SigningAlgorithm } from '../../crd/index.js';

/** The grant the sidecar mints with: client credentials, or the pod's projected token as an RFC 7523 assertion. */
export type OAuth2GrantKind = 'client_credentials' | 'jwt_bearer';

/** The OAuth2 grant_type values of the grants (RFC 6749 4.4, RFC 7523 2.1). */
export const OAUTH2_GRANT_TYPES: Readonly<Record<OAuth2GrantKind, string>> = {
  client_credentials: 'client_credentials',
  jwt_bearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
};

/** How the client authenticates at the token endpoint; the secret or key is a file of the source's Secret volume. */
export type ResolvedOAuth2ClientAuth =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientId: string; readonly secretName: string; readonly secretKey: string }
  | {
      readonly method: 'private_key_jwt';
      readonly clientId: string;
      readonly secretName: string;
      readonly secretKey: string;
      /** undefined: chosen from the key (RS256 for RSA, ES256 for P-256, EdDSA for Ed25519). */
      readonly signingAlgorithm: OAuth2SigningAlgorithm | undefined;
      readonly keyId: string | undefined;
    }
  | { readonly method: 'none'; readonly clientId: string | undefined };

/** Where the token endpoint is: given, or read from the issuer's discovery document. */
export type ResolvedOAuth2Server =
  | { readonly kind: 'tokenEndpoint'; readonly tokenEndpoint: URL }
  | { readonly kind: 'issuer'; readonly issuer: URL };

/** spec.http.oauth2 with defaults applied. */
export interface ResolvedOAuth2Origin {
  readonly kind: 'oauth2';
  readonly server: ResolvedOAuth2Server;
  readonly caBundle: string | undefined;
  readonly grant: OAuth2GrantKind;
  readonly clientAuth: ResolvedOAuth2ClientAuth;
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly resources: readonly string[];
  /** JwtBearer: the pod's projected token of this audience is the assertion (mounted by the webhook, originTokenOf). */
  readonly originToken: { readonly audience: string } | undefined;
}

const CLIENT_AUTH_METHODS = {
  ClientSecretBasic: 'client_secret_basic',
  ClientSecretPost: 'client_secret_post',
  PrivateKeyJwt: 'private_key_jwt',
  None: 'none',
} as const;

/** printable ASCII without space, " and \ (RFC 6749 3.3 scope-token). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function checkServerUrl(text: string, allowPlaintext: boolean, field: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${field} ${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPlaintext)) {
    return `${field} must use https:// (got ${url.protocol}//); set allowPlaintext only for tests`;
  }
  if (url.username || url.password || url.search || url.hash) return `${field} must not contain user info, a query or a fragment`;
  return url;
}

function clientAuthOf(spec: HttpOAuth2Origin, field: string): ResolvedOAuth2ClientAuth | string {
  const auth = spec.clientAuthentication ?? { method: 'None' };
  const method = CLIENT_AUTH_METHODS[auth.method];
  if (method === 'none') {
    if (spec.grant === 'ClientCredentials') return `${field}: grant ClientCredentials needs clientAuthentication (ClientSecretBasic, ClientSecretPost or PrivateKeyJwt)`;
    return auth.secretRef !== undefined ? `${field}.clientAuthentication.secretRef does not apply to method None` : { method, clientId: spec.clientId };
  }
  const { clientId } = spec;
  const ref = auth.secretRef;
  if (clientId === undefined) return `${field}.clientId is required when the client authenticates`;
  if (ref === undefined) return `${field}.clientAuthentication.secretRef is required with method ${auth.method}`;
  const secret = { clientId, secretName: ref.name, secretKey: ref.key };
  if (method === 'private_key_jwt') return { method, ...secret, signingAlgorithm: auth.signingAlgorithm, keyId: auth.keyId };
  const keyFields = auth.signingAlgorithm !== undefined || auth.keyId !== undefined;
  return keyFields ? `${field}.clientAuthentication.signingAlgorithm and keyId only apply to method PrivateKeyJwt` : { method, ...secret };
}

function serverOf(spec: HttpOAuth2Origin, field: string): ResolvedOAuth2Server | string {
  const allowPlaintext = spec.allowPlaintext === true;
  if ((spec.issuer === undefined) === (spec.tokenEndpoint === undefined)) return `${field} needs exactly one of issuer or tokenEndpoint`;
  const url = checkServerUrl(spec.issuer ?? spec.tokenEndpoint ?? '', allowPlaintext, `${field}.${spec.issuer !== undefined ? 'issuer' : 'tokenEndpoint'}`);
  if (typeof url === 'string') return url;
  if (spec.caBundle !== undefined && url.protocol !== 'https:') return `${field}.caBundle only applies to an https:// issuer or tokenEndpoint`;
  return spec.issuer !== undefined ? { kind: 'issuer', issuer: url } : { kind: 'tokenEndpoint', tokenEndpoint: url };
}

/** What is wrong with the scopes and resources (the CRD's patterns, for objects that did not pass the API server). */
function listProblem(spec: HttpOAuth2Origin, field: string): string | undefined {
  const badScope = (spec.scopes ?? []).find((s) => !SCOPE_TOKEN.test(s));
  if (badScope !== undefined) return `${field}.scopes item ${JSON.stringify(badScope)} is not a scope token (printable ASCII without space, " and \\)`;
  const badResource = (spec.resources ?? []).find((r) => !URL.canParse(r) || r.includes('#'));
  if (badResource !== undefined) return `${field}.resources item ${JSON.stringify(badResource)} must be an absolute URI without a fragment (RFC 8707)`;
  return undefined;
}

/** JwtBearer: the audience of the pod's projected token (assertion.tokenAudience, default the token endpoint). */
function originTokenOfSpec(spec: HttpOAuth2Origin, field: string): { audience: string } | undefined | string {
  if (spec.grant !== 'JwtBearer') return spec.assertion !== undefined ? `${field}.assertion only applies to grant JwtBearer` : undefined;
  const audience = spec.assertion?.tokenAudience ?? spec.tokenEndpoint;
  if (audience === undefined) return `${field}: grant JwtBearer with an issuer needs assertion.tokenAudience (the audience the OAuth2 server expects, usually its token endpoint URL)`;
  return { audience };
}

/** Resolves spec.http.oauth2; a string is what is wrong with it. */
export function resolveHttpOAuth2(spec: HttpOAuth2Origin): ResolvedOAuth2Origin | string {
  const field = 'spec.http.oauth2';
  const server = serverOf(spec, field);
  if (typeof server === 'string') return server;
  const clientAuth = clientAuthOf(spec, field);
  if (typeof clientAuth === 'string') return clientAuth;
  const problem = listProblem(spec, field);
  if (problem !== undefined) return problem;
  const originToken = originTokenOfSpec(spec, field);
  if (typeof originToken === 'string') return originToken;
  return {
    kind: 'oauth2',
    server,
    caBundle: spec.caBundle,
    grant: spec.grant === 'JwtBearer' ? 'jwt_bearer' : 'client_credentials',
    clientAuth,
    scopes: spec.scopes ?? [],
    audiences: spec.audiences ?? [],
    resources: spec.resources ?? [],
    originToken,
  };
}
