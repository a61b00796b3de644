import { rootCertificates } from 'node:tls';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { DEFAULT_AZURE_AUTHORITY_HOST, PortcullisError, type ResolvedAzureWorkloadIdentity } from '@portcullis/shared';
import type { Expiring } from '../refreshing-value.js';

/** Entra must answer each mint (MSAL's metadata and token calls, with its retries) within this. */
export const ENTRA_TIMEOUT_MS = 10_000;

export interface EntraTokenClient {
  /** One getToken through @azure/identity: the token and when it expires. Rejects with @azure/identity's errors. */
  mint(): Promise<Expiring<string>>;
}

/**
 * The only I/O of the Azure origin: @azure/identity's WorkloadIdentityCredential (which hands the pod's
 * projected token, read from `tokenFile`, to MSAL as the client assertion of a client-credentials grant)
 * for one source's tenant, client and authority. A national cloud's or private authority is trusted as it
 * is: instance discovery at login.microsoftonline.com is switched off for any host but the public one.
 */
export function entraTokenClient(spec: ResolvedAzureWorkloadIdentity, tokenFile: string): EntraTokenClient {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async mint(): Promise<Expiring<string>> {
      credential ??= workloadIdentityCredential(spec, tokenFile);
      const token: AccessToken | null = await (await credential).getToken(spec.scope, { abortSignal: AbortSignal.timeout(ENTRA_TIMEOUT_MS) });
      if (token === null) throw new PortcullisError('AZURE_TOKEN_UNAVAILABLE', `@azure/identity returned no token for client ${spec.clientId}`);
      return { value: token.token, expiresAtMs: token.expiresOnTimestamp };
    },
  };
}

/**
 * @azure/identity (with MSAL) is loaded on the first mint only: a sidecar without an Azure source does
 * not pay for it in memory (jose's full entry alone was measured at ~10 MiB RSS per pod).
 */
async function workloadIdentityCredential(spec: ResolvedAzureWorkloadIdentity, tokenFile: string): Promise<TokenCredential> {
  const [{ WorkloadIdentityCredential }, { tlsPolicy }] = await Promise.all([import('@azure/identity'), import('@azure/core-rest-pipeline')]);
  const authorityHost = spec.authorityHost.origin;
  return new WorkloadIdentityCredential({
    tenantId: spec.tenantId,
    clientId: spec.clientId,
    tokenFilePath: tokenFile,
    authorityHost,
    disableInstanceDiscovery: authorityHost !== DEFAULT_AZURE_AUTHORITY_HOST,
    ...(spec.caBundle !== undefined ? { additionalPolicies: [{ policy: tlsPolicy({ ca: [...rootCertificates, spec.caBundle] }), position: 'perCall' as const }] } : {}),
  });
}
