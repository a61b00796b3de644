// A local stand-in for Microsoft Entra ID's v2.0 endpoints that @azure/identity (MSAL) calls for workload
// identity federation: the tenant's OpenID metadata and the token endpoint's client-credentials grant with
// a JWT client assertion. No real Entra can run here, so it checks what it receives as Entra does: the
// assertion's signature (through `verifyAssertion`: the e2e tests verify against the kube-apiserver's own
// OIDC discovery and JWKS), its expiry, and that a federated identity credential of the client names its
// issuer, subject and audience; it refuses otherwise with Entra's error shape and AADSTS codes. It issues
// RS256 access tokens of its own key (iss https://sts.windows.net/<tenant>/, aud = the scope's resource)
// that upstream stand-ins verify with `verifyAccessToken`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { KeyPair } from '@portcullis/shared/pki';

/** A federated identity credential on an app registration: which pod tokens may act as `clientId`. */
export interface FederatedCredential {
  readonly clientId: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
  /** Lifetime of this client's access tokens; the stand-in's tokenLifetimeSeconds when unset. */
  readonly tokenLifetimeSeconds?: number;
}

export interface EntraStandInOptions {
  readonly pki: { ca: KeyPair; leaf: KeyPair };
  readonly tenantId: string;
  readonly federated: readonly FederatedCredential[];
  /** Verifies the assertion's signature (and only that); rejects when it does not verify. */
  readonly verifyAssertion: (jwt: string) => Promise<JWTPayload>;
  /** Lifetime of the access tokens it issues. */
  tokenLifetimeSeconds: number;
}

export interface EntraMint {
  readonly clientId: string;
  readonly scope: string;
  readonly subject: string;
  readonly status: number;
  readonly error?: string;
}

export interface EntraStandIn {
  /** https://127.0.0.1:<port>: the authority host. */
  readonly url: string;
  readonly ca: KeyPair;
  /** Every token request, answered or refused, in order. */
  readonly mints: EntraMint[];
  /** Moves the stand-in's clock (to see an assertion as expired). */
  clockOffsetMs: number;
  /** Answers every token request with 503 while true (MSAL then throttles the endpoint for 60 s). */
  down: boolean;
  /** Resets every token request's connection while true (a network failure). */
  unreachable: boolean;
  /** Lifetime of the access tokens it issues from now on. */
  tokenLifetimeSeconds: number;
  /** Checks an access token it issued: signature, issuer, audience, expiry. */
  verifyAccessToken(token: string, audience: string): Promise<JWTPayload>;
  readonly jwk: JWK;
  close(): Promise<void>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Entra's error body: error, error_description starting with the AADSTS code, error_codes. */
function refuse(res: ServerResponse, status: number, error: string, aadsts: number, text: string): string {
  answer(res, status, { error, error_description: `AADSTS${aadsts}: ${text} Trace ID: 00000000-0000-0000-0000-000000000000 Correlation ID: 00000000-0000-0000-0000-000000000000 Timestamp: ${new Date().toISOString()}`, error_codes: [aadsts], timestamp: new Date().toISOString() });
  return `${error} AADSTS${aadsts}`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startEntraStandIn(opts: EntraStandInOptions): Promise<EntraStandIn> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'entra-stand-in', alg: 'RS256', use: 'sig' };
  const issuer = `https://sts.windows.net/${opts.tenantId}/`;
  const mints: EntraMint[] = [];
  let url = '';

  const state = { clockOffsetMs: 0, down: false, unreachable: false };
  const nowSeconds = (): number => Math.floor((Date.now() + state.clockOffsetMs) / 1000);

  /** Entra's checks of the client assertion, in its order; a refusal is [status, error, AADSTS code, text]. */
  async function checkAssertion(assertion: string, credentials: readonly FederatedCredential[], now: number): Promise<{ subject: string } | { subject: string; refusal: [number, string, number, string] }> {
    let claims: JWTPayload;
    try {
      claims = await opts.verifyAssertion(assertion);
    } catch {
      return { subject: '', refusal: [401, 'invalid_client', 700027, 'Client assertion failed signature validation.'] };
    }
    const subject = claims.sub ?? '';
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
    if (claims.exp === undefined || claims.exp <= now || (claims.nbf !== undefined && claims.nbf > now + 300)) {
      return { subject, refusal: [400, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid until: ${new Date((claims.exp ?? 0) * 1000).toISOString()}.`] };
    }
    const byIssuer = credentials.filter((f) => f.issuer === claims.iss);
    if (byIssuer.length === 0) return { subject, refusal: [400, 'invalid_client', 700211, `No matching federated identity record found for presented assertion issuer '${claims.iss ?? ''}'.`] };
    const bySubject = byIssuer.filter((f) => f.subject === subject);
    if (bySubject.length === 0) return { subject, refusal: [400, 'invalid_client', 700213, `No matching federated identity record found for presented assertion subject '${subject}'.`] };
    if (!bySubject.some((f) => aud.includes(f.audience))) return { subject, refusal: [400, 'invalid_client', 700212, `No matching federated identity record found for presented assertion audience '${aud.join(',')}'.`] };
    return { subject };
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const form = await readForm(req);
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    const record = (status: number, subject: string, error?: string): void => void mints.push({ clientId, scope, subject, status, ...(error ? { error } : {}) });
    if (state.down) {
      answer(res, 503, { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred. Please try again.', error_codes: [90033] });
      return record(503, '', 'temporarily_unavailable');
    }
    if (tenant !== opts.tenantId) return record(400, '', refuse(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`));
    if (form.get('grant_type') !== 'client_credentials' || form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return record(400, '', refuse(res, 400, 'invalid_request', 900144, 'The request body must contain a client_credentials grant with a JWT client assertion.'));
    }
    const credentials = opts.federated.filter((f) => f.clientId === clientId);
    if (credentials.length === 0) return record(400, '', refuse(res, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`));
    const checked = await checkAssertion(form.get('client_assertion') ?? '', credentials, nowSeconds());
    if ('refusal' in checked) {
      const [status, error, aadsts, text] = checked.refusal;
      return record(status, checked.subject, refuse(res, status, error, aadsts, text));
    }
    const subject = checked.subject;
    const now = nowSeconds();
    const resources = scope.split(' ').filter((s) => s.endsWith('/.default'));
    if (resources.length !== 1) return record(400, subject, refuse(res, 400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`));
    const audience = (resources[0] ?? '').slice(0, -'/.default'.length);
    const lifetime = credentials[0]?.tokenLifetimeSeconds ?? opts.tokenLifetimeSeconds;
    const accessToken = await new SignJWT({ appid: clientId, tid: opts.tenantId, oid: `oid-${clientId}`, idtyp: 'app', ver: '1.0' })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(`oid-${clientId}`)
      .setIssuedAt(now)
      .setNotBefore(now - 60)
      .setExpirationTime(now + lifetime)
      .sign(privateKey);
    answer(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
    record(200, subject);
  }

  const server: Server = createServer({ cert: opts.pki.leaf.certPem, key: opts.pki.leaf.keyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://entra').pathname;
    const metadata = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (req.method === 'GET' && metadata) {
      const t = metadata[1] ?? '';
      answer(res, 200, {
        issuer: `${url}/${t}/v2.0`,
        token_endpoint: `${url}/${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${url}/${t}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${url}/${t}/oauth2/v2.0/logout`,
        jwks_uri: `${url}/${t}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
      return;
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (req.method === 'POST' && tokenPath) {
      if (state.unreachable) {
        req.socket.destroy();
        return;
      }
      token(req, res, tokenPath[1] ?? '').catch((err: unknown) => answer(res, 500, { error: 'server_error', error_description: String(err) }));
      return;
    }
    answer(res, 404, { error: 'not_found', error_description: `${req.method ?? ''} ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ca: opts.pki.ca,
    mints,
    get clockOffsetMs() {
      return state.clockOffsetMs;
    },
    set clockOffsetMs(v: number) {
      state.clockOffsetMs = v;
    },
    get tokenLifetimeSeconds() {
      return opts.tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(v: number) {
      opts.tokenLifetimeSeconds = v;
    },
    get unreachable() {
      return state.unreachable;
    },
    set unreachable(v: boolean) {
      state.unreachable = v;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    jwk,
    async verifyAccessToken(accessToken, audience) {
      const { payload } = await jwtVerify(accessToken, publicKey, { issuer, audience, algorithms: ['RS256'] });
      return payload;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The subject Kubernetes puts into a service account token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

