import { PortcullisError } from '@portcullis/shared';
import { cleanProviderText } from '../provider-text.js';

/** OAuth error codes (RFC 6749 §5.2, RFC 8693 §2.2.2) with which Google's STS refuses the exchange itself. */
const STS_REFUSALS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target', 'access_denied']);

type Loose = Record<string, unknown>;

interface ErrorFacts {
  /** Which call answered: the STS exchange or IAM Credentials' generateAccessToken (from the request URL). */
  readonly step: 'sts' | 'impersonation' | undefined;
  readonly status: number | undefined;
  /** STS: the OAuth error code; IAM: the google.rpc status (PERMISSION_DENIED, …). */
  readonly error: string | undefined;
  /** STS's error_description or IAM's error.message; they name audiences and principals, never the tokens. */
  readonly description: string | undefined;
  readonly timedOut: boolean;
  /** What failed below HTTP (ECONNREFUSED, a certificate error, …). */
  readonly transport: string | undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Loose => (v !== null && typeof v === 'object' ? (v as Loose) : {});

/** Google's access tokens (ya29.…), blanked out besides the shapes cleanProviderText knows. */
const GOOGLE_TOKEN = /ya29\.[A-Za-z0-9._-]+/g;

/** Google's text on one line, bounded, with anything shaped like a token blanked out (it is logged and answered to the app). */
function clean(s: string): string {
  return cleanProviderText(s, [GOOGLE_TOKEN]);
}

/** The request URL of a gaxios error (config.url is a URL or a string). */
function urlOf(e: Loose): string | undefined {
  const url = obj(e.config).url ?? obj(obj(e.response).config).url;
  return url instanceof URL ? url.href : text(url);
}

/**
 * What google-auth-library's error says: gaxios' GaxiosError (response.status, response.data, config.url),
 * or the library's copy of it for an STS refusal (message "Error code <oauth error>: <description>",
 * with the GaxiosError's fields), or a fetch failure with causes.
 */
function factsOf(err: unknown, impersonationUrl: string | undefined): ErrorFacts {
  const chain: Loose[] = [];
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as Loose).cause, depth++) chain.push(e as Loose);
  const top = chain[0] ?? {};
  const response = obj(top.response);
  const data = obj(response.data);
  const rpc = obj(data.error);
  const url = urlOf(top);
  const status = num(response.status) ?? num(top.status);
  const step = url === undefined ? undefined : impersonationUrl !== undefined && url.startsWith(impersonationUrl) ? 'impersonation' : 'sts';
  const timedOut = chain.some((e) => e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'TimeoutError' || /aborted due to timeout/i.test(text(e.message) ?? ''));
  const transport = chain.map((e) => text(e.code)).find((c) => c !== undefined && /^(E[A-Z_]+|ERR_[A-Z_]+|UND_ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ConnectionRefused|FailedToOpenSocket)$/.test(c));
  return {
    step,
    status,
    error: text(data.error) ?? text(rpc.status),
    description: text(data.error_description) ?? text(rpc.message),
    timedOut,
    transport,
  };
}

/**
 * The sidecar's error for a failed Google exchange: GCP_TOKEN_REFUSED when Google's STS or IAM Credentials
 * refused (a provider, pool, binding, audience or scope to fix), GCP_TOKEN_UNAVAILABLE when Google could not
 * be asked or failed itself. The message names the source, the provider or service account and Google's
 * reason. The library's error is deliberately not kept as `cause`: its request config holds the pod's
 * projected token (gaxios does not redact `subject_token`), and nothing of it may reach a log.
 */
export function googleError(err: unknown, where: { source: string; audience: string; serviceAccountEmail: string | undefined; impersonationUrl: string | undefined }): PortcullisError {
  if (err instanceof PortcullisError) return err;
  const f = factsOf(err, where.impersonationUrl);
  const refused = f.status !== undefined && f.status >= 400 && f.status < 500 && f.status !== 408 && f.status !== 429;
  if (refused && f.step === 'impersonation') {
    return new PortcullisError(
      'GCP_TOKEN_REFUSED',
      `Google IAM Credentials refused to mint a token of service account ${where.serviceAccountEmail ?? '?'} for source "${where.source}" (HTTP ${f.status}, ${reasonOf(f)}); grant roles/iam.workloadIdentityUser on the service account to the pod's principal (principal://iam.googleapis.com/<pool>/subject/system:serviceaccount:<namespace>:<service account>)`,
    );
  }
  if (refused && (f.error === undefined || STS_REFUSALS.has(f.error))) {
    return new PortcullisError(
      'GCP_TOKEN_REFUSED',
      `Google STS refused the token exchange of source "${where.source}" for provider ${where.audience} (HTTP ${f.status}, ${reasonOf(f)}); check the provider's issuer (this cluster's service account issuer), its allowed audiences (the source's tokenAudience) and attribute condition`,
    );
  }
  const what = f.step === 'impersonation' ? `Google IAM Credentials (service account ${where.serviceAccountEmail ?? '?'})` : `Google STS (provider ${where.audience})`;
  return new PortcullisError('GCP_TOKEN_UNAVAILABLE', `${what} could not be asked for the token of source "${where.source}" (${outageOf(f, err)}); check tokenUrl, iamCredentialsUrl, caBundle and the network path to them`);
}

/** Google's words for a refusal: the error code and the first line of its description. */
function reasonOf(f: ErrorFacts): string {
  if (f.error !== undefined) return `${f.error}${f.description ? `: ${clean(f.description)}` : ''}`;
  return f.description ? clean(f.description) : 'no reason given';
}

/** Why Google could not be asked: a timeout, its status, the transport's code, or the error itself. */
function outageOf(f: ErrorFacts, err: unknown): string {
  if (f.timedOut) return 'no answer in time';
  if (f.status !== undefined) return `HTTP ${f.status}, ${reasonOf(f)}`;
  if (f.transport !== undefined) return f.transport;
  return err instanceof Error ? `${err.name}: ${clean(err.message)}` : 'unknown error';
}
