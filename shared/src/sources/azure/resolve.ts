import type { AzureWorkloadIdentityOrigin } from '../../crd/index.js';
import type { OriginTokenRequest } from '../resolve-source.js';

/** Entra's public cloud; national clouds set spec.http.azureWorkloadIdentity.authorityHost. */
export const DEFAULT_AZURE_AUTHORITY_HOST = 'https://login.microsoftonline.com';
/** The audience Entra's federated identity credentials expect by default. */
export const DEFAULT_AZURE_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';

/** spec.http.azureWorkloadIdentity: an Entra access token for `clientId`, minted from the pod's projected token. */
export interface ResolvedAzureWorkloadIdentity {
  readonly kind: 'azureWorkloadIdentity';
  readonly tenantId: string;
  readonly clientId: string;
  /** scheme://host[:port] of the Entra authority. */
  readonly authorityHost: URL;
  /** What the token is requested for, e.g. https://storage.azure.com/.default. */
  readonly scope: string;
  readonly caBundle: string | undefined;
  /** The pod token presented as client assertion (mounted by the webhook at MOUNT_PATHS.originTokens/<source>). */
  readonly originToken: OriginTokenRequest;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SCOPE = /^[!-~]+$/;
const FIELD = 'spec.http.azureWorkloadIdentity';

/** https://host[:port] of the authority, or what is wrong with it. */
function authorityHost(text: string): URL | string {
  let host: URL;
  try {
    host = new URL(text);
  } catch {
    return `${FIELD}.authorityHost ${JSON.stringify(text)} is not a URL`;
  }
  if (host.protocol !== 'https:') return `${FIELD}.authorityHost must use https:// (got ${host.protocol}//)`;
  if (host.username || host.password || host.search || host.hash || (host.pathname !== '/' && host.pathname !== '')) {
    return `${FIELD}.authorityHost must be https://host[:port] without a path, user info, query or fragment`;
  }
  return new URL(host.origin);
}

/** Resolves spec.http.azureWorkloadIdentity with the preset's default scope; a string is what is wrong with it. */
export function resolveAzureWorkloadIdentity(spec: AzureWorkloadIdentityOrigin, presetScope: string | undefined): ResolvedAzureWorkloadIdentity | string {
  if (!TENANT.test(spec.tenantId)) return `${FIELD}.tenantId ${JSON.stringify(spec.tenantId)} is not a tenant ID or domain`;
  if (!GUID.test(spec.clientId)) return `${FIELD}.clientId ${JSON.stringify(spec.clientId)} is not an application (client) ID (a GUID)`;
  const scope = spec.scope ?? presetScope;
  if (scope === undefined) return `${FIELD}.scope is required without an azure-* preset; set it to the resource's application ID URI + /.default, e.g. https://vault.azure.net/.default`;
  if (!SCOPE.test(scope)) return `${FIELD}.scope ${JSON.stringify(scope)} must be printable ASCII without spaces`;
  const host = authorityHost(spec.authorityHost ?? DEFAULT_AZURE_AUTHORITY_HOST);
  if (typeof host === 'string') return host;
  return {
    kind: 'azureWorkloadIdentity',
    tenantId: spec.tenantId,
    clientId: spec.clientId,
    authorityHost: host,
    scope,
    caBundle: spec.caBundle,
    originToken: { audience: spec.tokenAudience ?? DEFAULT_AZURE_TOKEN_AUDIENCE },
  };
}
