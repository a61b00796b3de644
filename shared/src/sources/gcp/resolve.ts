import type { GcpWorkloadIdentityOrigin } from '../../crd/index.js';
import type { OriginTokenRequest } from '../resolve-source.js';

/** Google's Security Token Service (the workload identity federation exchange). */
export const DEFAULT_GCP_TOKEN_URL = 'https://sts.googleapis.com/v1/token';
/** The IAM Credentials API (generateAccessToken for service account impersonation). */
export const DEFAULT_GCP_IAM_CREDENTIALS_URL = 'https://iamcredentials.googleapis.com';
/** What Google recommends asking for: IAM roles decide what the token may do. */
export const DEFAULT_GCP_SCOPES: readonly string[] = ['https://www.googleapis.com/auth/cloud-platform'];

/** spec.http.gcpWorkloadIdentity: a Google access token minted from the pod's projected token. */
export interface ResolvedGcpWorkloadIdentity {
  readonly kind: 'gcpWorkloadIdentity';
  /** //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  readonly audience: string;
  readonly scopes: readonly string[];
  /** The service account impersonated after the STS exchange, if any. */
  readonly serviceAccountEmail: string | undefined;
  readonly tokenUrl: URL;
  /** <iamCredentialsUrl>/v1/projects/-/serviceAccounts/<email>:generateAccessToken, with serviceAccountEmail only. */
  readonly impersonationUrl: URL | undefined;
  readonly caBundle: string | undefined;
  /** The pod token presented as subject token (mounted by the webhook at MOUNT_PATHS.originTokens/<source>). */
  readonly originToken: OriginTokenRequest;
}

const AUDIENCE = /^\/\/iam\.googleapis\.com\/projects\/[0-9]{1,20}\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{1,63}\/providers\/[a-z0-9-]{1,63}$/;
const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
const SCOPE = /^[!-~]+$/;
const FIELD = 'spec.http.gcpWorkloadIdentity';

/** An https URL (with a path when `path` allows it), or what is wrong with it. */
function httpsUrl(field: string, text: string, path: boolean): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${FIELD}.${field} ${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'https:') return `${FIELD}.${field} must use https:// (got ${url.protocol}//)`;
  if (url.username || url.password || url.search || url.hash) return `${FIELD}.${field} must not contain user info, a query or a fragment`;
  if (!path && url.pathname !== '/' && url.pathname !== '') return `${FIELD}.${field} must be https://host[:port] without a path`;
  return url;
}

/** Resolves spec.http.gcpWorkloadIdentity; a string is what is wrong with it. */
export function resolveGcpWorkloadIdentity(spec: GcpWorkloadIdentityOrigin): ResolvedGcpWorkloadIdentity | string {
  if (!AUDIENCE.test(spec.audience)) {
    return `${FIELD}.audience ${JSON.stringify(spec.audience)} is not a workload identity pool provider; use //iam.googleapis.com/projects/<project number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`;
  }
  const scopes = spec.scopes ?? DEFAULT_GCP_SCOPES;
  const badScope = scopes.find((s) => !SCOPE.test(s));
  if (scopes.length === 0) return `${FIELD}.scopes must not be empty; omit it for ${DEFAULT_GCP_SCOPES.join(' ')}`;
  if (badScope !== undefined) return `${FIELD}.scopes ${JSON.stringify(badScope)} must be printable ASCII without spaces`;
  const email = spec.serviceAccountEmail;
  if (email !== undefined && !EMAIL.test(email)) return `${FIELD}.serviceAccountEmail ${JSON.stringify(email)} is not a service account email`;
  const tokenUrl = httpsUrl('tokenUrl', spec.tokenUrl ?? DEFAULT_GCP_TOKEN_URL, true);
  if (typeof tokenUrl === 'string') return tokenUrl;
  const iam = httpsUrl('iamCredentialsUrl', spec.iamCredentialsUrl ?? DEFAULT_GCP_IAM_CREDENTIALS_URL, false);
  if (typeof iam === 'string') return iam;
  return {
    kind: 'gcpWorkloadIdentity',
    audience: spec.audience,
    scopes: [...scopes],
    serviceAccountEmail: email,
    tokenUrl,
    impersonationUrl: email === undefined ? undefined : new URL(`/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:generateAccessToken`, iam.origin),
    caBundle: spec.caBundle,
    originToken: { audience: spec.tokenAudience ?? `https:${spec.audience}` },
  };
}
