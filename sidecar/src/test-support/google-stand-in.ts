// A local stand-in for the two Google services workload identity federation uses: the Security Token
// Service (POST /v1/token, RFC 8693 token exchange) and IAM Credentials (POST
// /v1/projects/-/serviceAccounts/<email>:generateAccessToken). No real Google can run here, so it checks
// what it receives as Google does: STS verifies the subject token's signature (through
// `verifySubjectToken`: the e2e tests verify against the kube-apiserver's own OIDC discovery and JWKS),
// that the audience parameter names a configured provider, and the token's issuer, audience (the
// provider's allowed audiences, by default https://iam.googleapis.com/<provider>), subject and expiry;
// IAM Credentials accepts only a federated token STS issued and unexpired, and only for a service account
// whose workloadIdentityUser members include the token's principal. Refusals use Google's bodies: STS
// OAuth errors ({error, error_description}), IAM google.rpc errors ({error: {code, message, status}}).
// Tokens are opaque (ya29.…) like Google's; upstream stand-ins look them up with `accessToken()`.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { JWTPayload } from 'jose';
import type { KeyPair } from '@portcullis/shared/pki';

/** A workload identity pool provider: which issuer's tokens it takes, for which audiences. */
export interface StandInProvider {
  /** //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  readonly name: string;
  readonly issuer: string;
  /** Default: ['https://iam.googleapis.com/projects/…/providers/<provider>'] (Google's default). */
  readonly allowedAudiences?: readonly string[];
}

/** A service account and the federated principals that hold roles/iam.workloadIdentityUser on it. */
export interface StandInServiceAccount {
  readonly email: string;
  /** principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/<sub> */
  readonly members: readonly string[];
  /** Lifetime of this account's access tokens; the stand-in's tokenLifetimeSeconds when unset. */
  readonly tokenLifetimeSeconds?: number;
}

export interface GoogleStandInOptions {
  readonly pki: { ca: KeyPair; leaf: KeyPair };
  readonly providers: readonly StandInProvider[];
  readonly serviceAccounts: readonly StandInServiceAccount[];
  /** Verifies the subject token's signature and issuer key (and only that); rejects when it does not verify. */
  readonly verifySubjectToken: (jwt: string) => Promise<JWTPayload>;
  /** Lifetime of the tokens it issues (seconds). */
  tokenLifetimeSeconds: number;
}

/** One call to either service, answered or refused, in order. */
export interface GoogleCall {
  readonly service: 'sts' | 'iam';
  readonly status: number;
  /** STS: the token's sub; IAM: the caller's principal (when its token was known). */
  readonly subject: string;
  readonly scopes: readonly string[];
  /** IAM: the service account asked for. */
  readonly account?: string;
  readonly error?: string;
}

/** What an access token it issued stands for. */
export interface IssuedToken {
  /** principal://… for a federated token, serviceAccount:<email> for an impersonated one. */
  readonly principal: string;
  readonly scopes: readonly string[];
  readonly expiresAtMs: number;
}

export interface GoogleStandIn {
  /** https://127.0.0.1:<port>: serves both services. */
  readonly url: string;
  readonly tokenUrl: string;
  readonly calls: GoogleCall[];
  clockOffsetMs: number;
  /** Answers every call with 503 while true. */
  down: boolean;
  /** Resets every call's connection while true (a network failure). */
  unreachable: boolean;
  tokenLifetimeSeconds: number;
  /** The token, if it issued it and it has not expired (its clock). */
  accessToken(token: string): IssuedToken | undefined;
  close(): Promise<void>;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = new Set(['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']);
const GENERATE = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

const RPC_STATUS: Readonly<Record<number, string>> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 503: 'UNAVAILABLE' };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** generateAccessToken's JSON body, or undefined when it is not JSON. */
function jsonBody(text: string): { scope?: unknown; lifetime?: unknown } | undefined {
  try {
    return JSON.parse(text) as { scope?: unknown; lifetime?: unknown };
  } catch {
    return undefined;
  }
}

/** generateAccessToken's lifetime ("3600s"), in seconds; 3600 when absent. */
function lifetimeSeconds(lifetime: unknown): number {
  const m = /^([0-9]+)s$/.exec(typeof lifetime === 'string' ? lifetime : '3600s');
  return Number(m?.[1] ?? 3600);
}

/** The pool of a provider name: //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P */
function poolOf(provider: string): string {
  return provider.replace(/\/providers\/[^/]+$/, '').replace(/^\/\//, '');
}

export async function startGoogleStandIn(opts: GoogleStandInOptions): Promise<GoogleStandIn> {
  const state = { clockOffsetMs: 0, down: false, unreachable: false };
  const calls: GoogleCall[] = [];
  const issued = new Map<string, IssuedToken>();
  const nowMs = (): number => Date.now() + state.clockOffsetMs;

  function issue(principal: string, scopes: readonly string[], lifetimeSeconds: number): { token: string; expiresAtMs: number } {
    const token = `ya29.${randomBytes(32).toString('base64url')}`;
    const expiresAtMs = nowMs() + lifetimeSeconds * 1000;
    issued.set(token, { principal, scopes, expiresAtMs });
    return { token, expiresAtMs };
  }

  function accessToken(token: string): IssuedToken | undefined {
    const t = issued.get(token);
    return t && t.expiresAtMs > nowMs() ? t : undefined;
  }

  /** Google STS's checks of the request itself; a refusal is [status, OAuth error, description]. */
  function checkRequest(form: URLSearchParams): StandInProvider | [number, string, string] {
    if (form.get('grant_type') !== TOKEN_EXCHANGE) return [400, 'unsupported_grant_type', `Unsupported grant type: ${form.get('grant_type') ?? ''}.`];
    if (form.get('requested_token_type') !== ACCESS_TOKEN_TYPE) return [400, 'invalid_request', 'Invalid value for "requested_token_type".'];
    if (!SUBJECT_TOKEN_TYPES.has(form.get('subject_token_type') ?? '')) return [400, 'invalid_request', 'Invalid value for "subject_token_type".'];
    const audience = form.get('audience') ?? '';
    const provider = opts.providers.find((p) => p.name === audience);
    return provider ?? [400, 'invalid_target', `The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.`];
  }

  /** Google STS's checks of the subject token against the provider, in its order. */
  function checkClaims(claims: JWTPayload, provider: StandInProvider): [number, string, string] | undefined {
    if (claims.iss !== provider.issuer) return [400, 'invalid_grant', `The issuer in ID Token ${claims.iss ?? ''} does not match the expected ones: ${provider.issuer}.`];
    const allowed = provider.allowedAudiences ?? [`https:${provider.name}`];
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
    if (!aud.some((a) => allowed.includes(a))) return [400, 'invalid_grant', `The audience in ID Token [${aud.join(', ')}] does not match the expected audience ${allowed.join(', ')}.`];
    if (claims.exp === undefined || claims.exp * 1000 <= nowMs()) return [400, 'invalid_grant', `ID Token expired at ${new Date((claims.exp ?? 0) * 1000).toISOString()}.`];
    if (!claims.sub) return [400, 'invalid_grant', 'The ID Token has no sub claim (google.subject is mapped from assertion.sub).'];
    return undefined;
  }

  async function exchange(form: URLSearchParams): Promise<{ subject: string; principal: string } | { subject: string; refusal: [number, string, string] }> {
    const provider = checkRequest(form);
    if (Array.isArray(provider)) return { subject: '', refusal: provider };
    let claims: JWTPayload;
    try {
      claims = await opts.verifySubjectToken(form.get('subject_token') ?? '');
    } catch {
      return { subject: '', refusal: [400, 'invalid_grant', 'Invalid JWT signature.'] };
    }
    const subject = claims.sub ?? '';
    const refusal = checkClaims(claims, provider);
    return refusal ? { subject, refusal } : { subject, principal: `principal://${poolOf(provider.name)}/subject/${subject}` };
  }

  async function sts(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const checked = await exchange(form);
    if ('refusal' in checked) {
      const [status, error, description] = checked.refusal;
      answer(res, status, { error, error_description: description });
      calls.push({ service: 'sts', status, subject: checked.subject, scopes, error });
      return;
    }
    if (scopes.length === 0) {
      answer(res, 400, { error: 'invalid_scope', error_description: 'The scope parameter is required.' });
      calls.push({ service: 'sts', status: 400, subject: checked.subject, scopes, error: 'invalid_scope' });
      return;
    }
    const { token } = issue(checked.principal, scopes, opts.tokenLifetimeSeconds);
    answer(res, 200, { access_token: token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: opts.tokenLifetimeSeconds });
    calls.push({ service: 'sts', status: 200, subject: checked.subject, scopes });
  }

  async function generate(req: IncomingMessage, res: ServerResponse, email: string): Promise<void> {
    const refuse = (status: number, message: string, principal = '', scopes: readonly string[] = []): void => {
      answer(res, status, { error: { code: status, message, status: RPC_STATUS[status] ?? 'UNKNOWN' } });
      calls.push({ service: 'iam', status, subject: principal, scopes, account: decodeURIComponent(email), error: RPC_STATUS[status] ?? 'UNKNOWN' });
    };
    const text = await readBody(req);
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const caller = accessToken(bearer);
    if (!caller || !caller.principal.startsWith('principal://')) {
      return refuse(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    const body = jsonBody(text);
    if (body === undefined) return refuse(400, 'Invalid JSON payload received.', caller.principal);
    const scopes = Array.isArray(body.scope) ? body.scope.filter((s): s is string => typeof s === 'string') : [];
    const account = opts.serviceAccounts.find((a) => a.email === decodeURIComponent(email));
    if (!account || !account.members.includes(caller.principal)) {
      return refuse(403, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", caller.principal, scopes);
    }
    if (scopes.length === 0) return refuse(400, 'Scope required.', caller.principal, scopes);
    const requested = lifetimeSeconds(body.lifetime);
    if (requested > 3600) return refuse(400, 'The lifetime must be at most 3600s.', caller.principal, scopes);
    const { token, expiresAtMs } = issue(`serviceAccount:${account.email}`, scopes, Math.min(requested, account.tokenLifetimeSeconds ?? opts.tokenLifetimeSeconds));
    answer(res, 200, { accessToken: token, expireTime: new Date(Math.floor(expiresAtMs / 1000) * 1000).toISOString().replace('.000Z', 'Z') });
    calls.push({ service: 'iam', status: 200, subject: caller.principal, scopes, account: account.email });
  }

  const server: Server = createServer({ cert: opts.pki.leaf.certPem, key: opts.pki.leaf.keyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://google').pathname;
    const service = path === '/v1/token' ? 'sts' : GENERATE.test(path) ? 'iam' : undefined;
    if (req.method !== 'POST' || service === undefined) {
      answer(res, 404, { error: { code: 404, message: `${req.method ?? ''} ${path} not found`, status: 'NOT_FOUND' } });
      return;
    }
    if (state.unreachable) {
      req.socket.destroy();
      return;
    }
    if (state.down) {
      req.resume();
      answer(res, 503, service === 'sts' ? { error: 'temporarily_unavailable', error_description: 'The service is currently unavailable.' } : { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } });
      calls.push({ service, status: 503, subject: '', scopes: [], error: 'unavailable' });
      return;
    }
    const done = service === 'sts' ? sts(req, res) : generate(req, res, GENERATE.exec(path)?.[1] ?? '');
    done.catch((err: unknown) => answer(res, 500, { error: { code: 500, message: String(err), status: 'INTERNAL' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/v1/token`,
    calls,
    get clockOffsetMs() {
      return state.clockOffsetMs;
    },
    set clockOffsetMs(v: number) {
      state.clockOffsetMs = v;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    get unreachable() {
      return state.unreachable;
    },
    set unreachable(v: boolean) {
      state.unreachable = v;
    },
    get tokenLifetimeSeconds() {
      return opts.tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(v: number) {
      opts.tokenLifetimeSeconds = v;
    },
    accessToken,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The federated principal Google gives a Kubernetes service account's token through a pool. */
export function federatedPrincipal(provider: string, subject: string): string {
  return `principal://${poolOf(provider)}/subject/${subject}`;
}
