import { PortcullisError, type ResolvedHttpSource, type ResolvedOAuth2Origin } from '@portcullis/shared';
import { injectionCharset } from '../../inject/http-injection.js';
import { credentialFromFile, credentialValueProblem } from '../credential-value.js';
import type { Origin, OriginDeps } from '../origin.js';
import { originTokenFile } from '../origin-token.js';
import { secretFilePath } from '../secret-file/open.js';
import { AssertionGuard } from './assertion-guard.js';
import { authorizationServer, type AuthorizationServer } from './authorization-server.js';
import { clientAuthentication } from './client-auth.js';
import { mintToken, type MintedToken } from './mint.js';
import { OAuth2Origin, type MintEvent } from './oauth2-origin.js';
import { tokenHttp } from './token-http.js';

/** Every call to the OAuth2 server (discovery, token) must be answered within this. */
const TOKEN_TIMEOUT_MS = 10_000;
/** Refresh at 70-80 % of the token's lifetime (issue 25: a fraction of expires_in, with jitter). */
const REFRESH_AT_FRACTION = 0.8;
const JITTER_FRACTION = 0.1;
/** A token is not used in its last 5 s (at most a tenth of its lifetime). */
const EXPIRY_SKEW_MS = 5_000;

function workloadOf(deps: OriginDeps): string | undefined {
  const w = deps.workload;
  return w ? `${w.namespace}/${w.serviceAccount}/${w.podName}` : undefined;
}

/** The token is minted for this pod, and each mint names it: nothing is minted before the identity is verified. */
class AwaitingIdentity implements Origin<never> {
  readonly principal: Readonly<Record<string, string>> = {};
  private readonly error: PortcullisError;

  constructor(source: string) {
    this.error = new PortcullisError('CREDENTIAL_UNAVAILABLE', `source "${source}" mints no OAuth2 token before the pod identity is verified, so that every mint names the pod`);
  }

  get(): never {
    throw this.error;
  }

  problem(): string {
    return `${this.error.code}: ${this.error.message}`;
  }

  close(): void {}
}

function mintEvents(source: string, spec: ResolvedOAuth2Origin, workload: string, deps: OriginDeps): (e: MintEvent) => void {
  let failing = false;
  const clientId = spec.clientAuth.clientId;
  return (e) => {
    if (e.kind === 'minted') {
      deps.metrics.oauth2TokenRequests.inc({ source, grant: spec.grant, result: 'ok' });
      deps.metrics.credentialReloads.inc({ source, result: 'loaded' });
      // The operational audit of mints: who (the pod), which grant and scopes; never the token.
      deps.log.info(
        { source, workload, grant: spec.grant, ...(clientId !== undefined ? { clientId } : {}), scope: e.scope, expiresInSeconds: e.expiresInSeconds, durationMs: Math.round(e.durationMs) },
        failing ? 'OAuth2 token minted again' : 'OAuth2 token minted',
      );
      failing = false;
      return;
    }
    const f = e.failure;
    deps.metrics.oauth2TokenRequests.inc({ source, grant: spec.grant, result: f.result });
    deps.metrics.credentialReloads.inc({ source, result: 'failed' });
    const fields = { source, workload, grant: spec.grant, code: f.error.code, ...(f.oauthError !== undefined ? { oauthError: f.oauthError } : {}), problem: f.error.message, stillServing: e.stillServing };
    if (failing) deps.log.debug(fields, 'OAuth2 token still unavailable');
    else deps.log.warn(fields, e.stillServing ? 'minting an OAuth2 token failed; using the current token until it expires' : 'minting an OAuth2 token failed');
    failing = true;
  };
}

/** The OAuth2 origin of an http source: client credentials or the pod's token as a JWT-bearer grant. */
export function openOAuth2Http(resolved: ResolvedHttpSource, spec: ResolvedOAuth2Origin, deps: OriginDeps, random: () => number = Math.random): Origin<string> {
  const workload = workloadOf(deps);
  if (workload === undefined) return new AwaitingIdentity(resolved.name);
  const source = resolved.name;
  const what = `minting an OAuth2 token for source "${source}"`;
  const http = tokenHttp({ caBundle: spec.caBundle, timeoutMs: TOKEN_TIMEOUT_MS });
  const serverUrl = spec.server.kind === 'issuer' ? spec.server.issuer : spec.server.tokenEndpoint;
  const allowInsecure = serverUrl.protocol === 'http:';
  const auth = spec.clientAuth;
  const readSecret = async (): Promise<string> => {
    if (auth.method === 'none') return '';
    const path = secretFilePath(deps.secretsDir, source, auth.secretKey);
    try {
      return credentialFromFile(await deps.files.readText(path));
    } catch (err) {
      throw new PortcullisError('OAUTH2_CLIENT_KEY_INVALID', `${what}: ${path} (Secret ${auth.secretName} key ${auth.secretKey}) cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check that the Secret and key exist`, { cause: err });
    }
  };
  const assertionFile = spec.originToken === undefined ? undefined : originTokenFile(source, deps);
  const guard = new AssertionGuard(() => deps.clock.now().getTime());
  // Discovery is done once and again only after a failure: the document rarely changes.
  let server: Promise<AuthorizationServer> | undefined;
  const discover = (): Promise<AuthorizationServer> => {
    server ??= authorizationServer(spec.server, http.fetch, allowInsecure, what).catch((err: unknown) => {
      server = undefined;
      throw err;
    });
    return server;
  };

  const mint = async (): Promise<MintedToken> => {
    const as = await discover();
    const clientAuth = await clientAuthentication(auth, readSecret, as.token_endpoint, what);
    let assertion: string | undefined;
    let claim: string | undefined;
    if (assertionFile !== undefined) {
      assertion = await assertionFile.read();
      claim = guard.claim(assertion, what);
    }
    try {
      return await mintToken({
        as,
        clientId: auth.clientId,
        clientAuth,
        grant: spec.grant,
        assertion,
        scopes: spec.scopes,
        audiences: spec.audiences,
        resources: spec.resources,
        fetch: http.fetch,
        allowInsecure,
        timeoutMs: TOKEN_TIMEOUT_MS,
      });
    } catch (err) {
      if (claim !== undefined) {
        // Refused before it was sent: the server never saw the assertion, so it may still be presented.
        if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') guard.release(claim);
        else guard.refused(claim, err);
      }
      throw err;
    }
  };

  const charset = injectionCharset(resolved.injection);
  const origin = new OAuth2Origin({
    source,
    mint,
    check: (token) => {
      const reason = credentialValueProblem(token, charset);
      if (reason !== undefined) throw new PortcullisError('OAUTH2_ANSWER_INVALID', `the access token cannot be injected: ${reason}`);
      return token;
    },
    refreshAtFraction: REFRESH_AT_FRACTION,
    jitterFraction: JITTER_FRACTION,
    expirySkewMs: EXPIRY_SKEW_MS,
    retryInitialMs: 1_000,
    retryMaxMs: 30_000,
    now: () => deps.clock.now().getTime(),
    random,
    onEvent: mintEvents(source, spec, workload, deps),
    principal: {
      oauth2: serverUrl.origin,
      grant: spec.grant,
      ...(auth.clientId !== undefined ? { clientId: auth.clientId } : {}),
      ...(spec.scopes.length > 0 ? { scope: spec.scopes.join(' ') } : {}),
    },
    close: () => http.close(),
  });
  origin.prefetch();
  return origin;
}
