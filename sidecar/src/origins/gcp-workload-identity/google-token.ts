import type { IdentityPoolClientOptions } from 'google-auth-library';
import { PortcullisError, type ResolvedGcpWorkloadIdentity } from '@portcullis/shared';
import type { Expiring } from '../refreshing-value.js';
import { trustingFetch } from './trusting-fetch.js';

/** Each call to Google (STS, IAM Credentials) must answer within this; gaxios retries a 5xx or a network error 3 times. */
export const GOOGLE_TIMEOUT_MS = 10_000;

/** The subject token type of a Kubernetes service account token (an OIDC ID token) in the STS exchange. */
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

export interface GoogleTokenClient {
  /** One STS exchange (and impersonation, when configured): the token and when it expires. Rejects with google-auth-library's errors. */
  mint(): Promise<Expiring<string>>;
  /** Closes its connections; a later mint opens new ones. */
  close(): void;
}

/** The part of google-auth-library's external-account client the origin drives. */
interface MintingClient {
  mint(): Promise<MintedCredentials>;
  close(): void;
}

/** What the library's refresh returns (its CredentialsWithResponse, of which the origin reads two fields). */
interface MintedCredentials {
  readonly access_token?: string | null;
  readonly expiry_date?: number | null;
}

/**
 * The only I/O of the GCP origin: google-auth-library's external-account client (IdentityPoolClient) with
 * a file-sourced subject token (the pod's projected token at `tokenFile`), the STS exchange at
 * spec.tokenUrl and, with a service account, IAM Credentials generateAccessToken at spec.impersonationUrl.
 * Every call of both steps goes through one gaxios transporter whose fetch trusts spec.caBundle.
 */
export function googleTokenClient(spec: ResolvedGcpWorkloadIdentity, tokenFile: string): GoogleTokenClient {
  let client: Promise<MintingClient> | undefined;
  return {
    async mint(): Promise<Expiring<string>> {
      client ??= identityPoolClient(spec, tokenFile);
      const minted = await (await client).mint();
      if (!minted.access_token) throw new PortcullisError('GCP_TOKEN_UNAVAILABLE', `Google answered the token exchange for ${spec.audience} without an access token`);
      if (typeof minted.expiry_date !== 'number') {
        throw new PortcullisError('GCP_TOKEN_UNAVAILABLE', `Google answered the token exchange for ${spec.audience} without expires_in, so the token cannot be refreshed in time; check that tokenUrl is Google's STS`);
      }
      return { value: minted.access_token, expiresAtMs: minted.expiry_date };
    },
    close(): void {
      const closing = client;
      client = undefined;
      closing?.then((c) => c.close()).catch(() => undefined);
    },
  };
}

/**
 * google-auth-library is loaded on the first mint only (ADR 38): a sidecar without a GCP source does not
 * carry it. The subclass exists because the library builds its STS client with a bare `new Gaxios()`
 * (BaseExternalAccountClient's constructor), which neither the caBundle nor the timeout would reach; it
 * replaces that client with one on the same transporter as the impersonation call (ADR 39).
 */
async function identityPoolClient(spec: ResolvedGcpWorkloadIdentity, tokenFile: string): Promise<MintingClient> {
  const [{ IdentityPoolClient }, { StsCredentials }, transport] = await Promise.all([
    import('google-auth-library'),
    import('google-auth-library/build/src/auth/stscredentials.js'),
    trustingFetch(spec.caBundle),
  ]);
  class SourceIdentityPoolClient extends IdentityPoolClient implements MintingClient {
    constructor(options: IdentityPoolClientOptions) {
      super(options);
      this.stsCredential = new StsCredentials({ tokenExchangeEndpoint: spec.tokenUrl.href, transporter: this.transporter });
    }

    /** Always a new exchange: the origin (MintedTokenOrigin) decides when, and caches the result itself. */
    mint(): Promise<MintedCredentials> {
      return this.refreshAccessTokenAsync();
    }

    close(): void {
      transport.close();
    }
  }
  const options: IdentityPoolClientOptions = {
    type: 'external_account',
    audience: spec.audience,
    subject_token_type: JWT_TOKEN_TYPE,
    token_url: spec.tokenUrl.href,
    credential_source: { file: tokenFile, format: { type: 'text' } },
    scopes: [...spec.scopes],
    ...(spec.impersonationUrl ? { service_account_impersonation_url: spec.impersonationUrl.href } : {}),
    transporterOptions: { fetchImplementation: transport.fetch, timeout: GOOGLE_TIMEOUT_MS },
  };
  return new SourceIdentityPoolClient(options);
}
