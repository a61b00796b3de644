import { PortcullisError } from '@portcullis/shared';

/** OAuth error codes (RFC 6749 §5.2) with which Entra refuses the request itself: fixing it takes a change, not a retry. */
const REFUSALS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'access_denied']);

interface ErrorFacts {
  /** The OAuth error code Entra answered with (invalid_client, …), if it answered with one. */
  readonly oauthError: string | undefined;
  /** Entra's description (AADSTS… text); it names issuer, subject and audience, never the assertion. */
  readonly description: string | undefined;
  readonly status: number | undefined;
  readonly timedOut: boolean;
}

type Loose = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** What one error object says: msal-common's ServerError (errorCode, errorMessage, status) or @azure/identity's AuthenticationError (statusCode, errorResponse). */
function factsOfOne(o: Loose): ErrorFacts {
  const response = (o.errorResponse ?? {}) as Loose;
  const server = o.name === 'ServerError';
  return {
    oauthError: text(response.error) ?? (server ? text(o.errorCode) : undefined),
    description: text(response.errorDescription) ?? (server ? text(o.errorMessage) : undefined),
    status: num(o.statusCode) ?? num(o.status),
    timedOut: o.name === 'AbortError' || o.name === 'TimeoutError',
  };
}

/** Walks the error and its causes for what MSAL and @azure/identity say about Entra's answer; the outermost word wins. */
function factsOf(err: unknown): ErrorFacts {
  const facts: ErrorFacts[] = [];
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as Loose).cause, depth++) facts.push(factsOfOne(e as Loose));
  return {
    oauthError: facts.find((f) => f.oauthError !== undefined)?.oauthError,
    description: facts.find((f) => f.description !== undefined)?.description,
    status: facts.find((f) => f.status !== undefined)?.status,
    timedOut: facts.some((f) => f.timedOut),
  };
}

/** One line of Entra's description: it can be long and carries trace and correlation IDs on further lines. */
function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').slice(0, 400);
}

/**
 * The sidecar's error for a failed Entra exchange: AZURE_TOKEN_REFUSED when Entra refused the pod's token
 * or the request (a federated credential, tenant, client or scope to fix), AZURE_TOKEN_UNAVAILABLE when it
 * could not be asked or failed itself. The message names the source, client and Entra's reason.
 */
export function entraError(err: unknown, where: { source: string; clientId: string; tenantId: string }): PortcullisError {
  if (err instanceof PortcullisError) return err;
  const f = factsOf(err);
  const who = `client ${where.clientId} in tenant ${where.tenantId}`;
  if (f.oauthError !== undefined && REFUSALS.has(f.oauthError)) {
    const reason = f.description ? `${f.oauthError}: ${firstLine(f.description)}` : f.oauthError;
    return new PortcullisError(
      'AZURE_TOKEN_REFUSED',
      `Microsoft Entra ID refused the token exchange of source "${where.source}" for ${who} (${reason}); check the federated identity credential (issuer, subject system:serviceaccount:<namespace>:<service account>, audience) and the source's tenantId, clientId and scope`,
      { cause: err },
    );
  }
  const reason = f.timedOut
    ? 'no answer in time'
    : f.oauthError !== undefined
      ? `${f.oauthError}${f.description ? `: ${firstLine(f.description)}` : ''}`
      : err instanceof Error
        ? `${err.name}: ${firstLine(err.message)}`
        : 'unknown error';
  return new PortcullisError(
    'AZURE_TOKEN_UNAVAILABLE',
    `Microsoft Entra ID could not be asked for the token of source "${where.source}" for ${who} (${reason}${f.status !== undefined ? `, HTTP ${f.status}` : ''}); check the authority host and the network path to it`,
    { cause: err },
  );
}
