import { PortcullisError } from '@portcullis/shared';

/** GitHub's message (and docs link) from an error body; never anything else of it. */
function messageOf(body: unknown): string {
  const m = body !== null && typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m.slice(0, 300) : 'no message';
}

/**
 * The sidecar's error for a token exchange GitHub answered with other than 201: a refusal to fix (401: the
 * app JWT — wrong App ID or key, or a clock off by minutes; 403/404: the installation does not exist, is
 * suspended or is not this App's; 422: repositories or permissions beyond the installation's) is
 * GITHUB_APP_TOKEN_REFUSED; a GitHub outage (5xx, 429) is GITHUB_APP_TOKEN_UNAVAILABLE.
 */
export function githubAnswerError(status: number, body: unknown, where: { source: string; appId: string; installationId: number }): PortcullisError {
  const who = `App ${where.appId}, installation ${where.installationId}`;
  const said = `HTTP ${status}: ${messageOf(body)}`;
  if (status >= 500 || status === 429) {
    return new PortcullisError('GITHUB_APP_TOKEN_UNAVAILABLE', `GitHub could not mint the installation token of source "${where.source}" (${who}; ${said}); the sidecar retries with backoff`);
  }
  const hint =
    status === 401
      ? 'check the App ID and that the Secret holds this App\'s current private key, and the node\'s clock'
      : status === 422
        ? 'ask for only repositories and permissions the installation was granted'
        : 'check the installation ID and that the App is still installed there';
  return new PortcullisError('GITHUB_APP_TOKEN_REFUSED', `GitHub refused the installation token of source "${where.source}" (${who}; ${said}); ${hint}`);
}

/** The exchange did not get an answer (connection, TLS, timeout). */
export function githubUnreachable(err: unknown, where: { source: string; url: URL }): PortcullisError {
  const e = err as NodeJS.ErrnoException;
  return new PortcullisError('GITHUB_APP_TOKEN_UNAVAILABLE', `GitHub could not be asked for the installation token of source "${where.source}" at ${where.url.origin} (${e.code ?? e.name}: ${String(e.message).slice(0, 200)}); check the upstream and its caBundle`, { cause: err });
}
