// A local stand-in for the GitHub REST API of a GitHub App: the installation access-token exchange and a
// few repository endpoints. No GitHub can run here, so it checks what it receives as GitHub does: the app
// JWT's RS256 signature against the App's public key, its issuer, `iat` not in the future and `exp` at
// most 10 minutes after it and not passed; the installation belonging to the App; requested repositories
// and permissions within the installation's (422 otherwise). Installation tokens are opaque `ghs_…`
// strings it remembers with their repositories, permissions and expiry, and the repository endpoints
// enforce them (401 Bad credentials, 404 for a repository outside the token, 403 for a missing permission).
import { randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { KeyPair } from '@portcullis/shared/pki';

type Level = 'read' | 'write' | 'admin';
const RANK: Readonly<Record<Level, number>> = { read: 1, write: 2, admin: 3 };

export interface GithubInstallation {
  readonly id: number;
  readonly appId: string;
  readonly owner: string;
  readonly repositories: readonly string[];
  readonly permissions: Readonly<Record<string, Level>>;
}

export interface GithubMint {
  readonly installationId: number;
  readonly status: number;
  readonly message?: string;
  readonly repositories?: readonly string[];
  readonly permissions?: Readonly<Record<string, string>>;
}

interface IssuedToken {
  readonly installation: GithubInstallation;
  readonly repositories: readonly string[];
  readonly permissions: Readonly<Record<string, Level>>;
  readonly expiresAtMs: number;
}

export interface GithubStandIn {
  /** https://127.0.0.1:<port>: the API URL (as https://api.github.com). */
  readonly url: string;
  readonly ca: KeyPair;
  /** Every access-token request, answered or refused, in order. */
  readonly mints: GithubMint[];
  /** Every API call made with an installation token: method, path and status. */
  readonly calls: { method: string; path: string; status: number }[];
  /** Lifetime of the installation tokens it issues from now on (GitHub: 1 hour). */
  tokenLifetimeSeconds: number;
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-github-media-type': 'github.v3; format=json' }).end(text);
}

function failure(res: ServerResponse, status: number, message: string): string {
  answer(res, status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });
  return message;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function bearer(req: IncomingMessage): string {
  const h = req.headers.authorization ?? '';
  const m = /^(?:Bearer|token) (.+)$/i.exec(h);
  return m?.[1] ?? '';
}

export async function startGithubStandIn(opts: {
  pki: { ca: KeyPair; leaf: KeyPair };
  /** Each App's public key, by App ID. */
  apps: Readonly<Record<string, KeyObject>>;
  installations: readonly GithubInstallation[];
  tokenLifetimeSeconds?: number;
}): Promise<GithubStandIn> {
  const mints: GithubMint[] = [];
  const calls: GithubStandIn['calls'] = [];
  const tokens = new Map<string, IssuedToken>();
  const state = { tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600 };

  /** GitHub's checks of the app JWT; the App ID, or the 401 message. */
  async function appOf(jwt: string): Promise<{ appId: string } | { refusal: string }> {
    const now = Math.floor(Date.now() / 1000);
    let claims;
    for (const [appId, key] of Object.entries(opts.apps)) {
      try {
        claims = (await jwtVerify(jwt, key, { algorithms: ['RS256'], issuer: appId, clockTolerance: 0 })).payload;
      } catch {
        continue;
      }
      if (claims.iat === undefined || claims.iat > now + 60) return { refusal: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued." };
      if (claims.exp === undefined || claims.exp - claims.iat > 600) return { refusal: "'Expiration time' claim ('exp') is too far in the future." };
      return { appId };
    }
    return { refusal: 'A JSON web token could not be decoded' };
  }

  async function accessToken(req: IncomingMessage, res: ServerResponse, installationId: number): Promise<void> {
    const app = await appOf(bearer(req));
    const body = await readJson(req);
    const repositories = Array.isArray(body.repositories) ? (body.repositories as string[]) : undefined;
    const permissions = (body.permissions ?? undefined) as Record<string, string> | undefined;
    const record = (status: number, message?: string): void => void mints.push({ installationId, status, ...(message ? { message } : {}), ...(repositories ? { repositories } : {}), ...(permissions ? { permissions } : {}) });
    if ('refusal' in app) return record(401, failure(res, 401, app.refusal));
    const installation = opts.installations.find((i) => i.id === installationId && i.appId === app.appId);
    if (!installation) return record(404, failure(res, 404, 'Not Found'));
    if (repositories && !repositories.every((r) => installation.repositories.includes(r))) {
      return record(422, failure(res, 422, 'There is at least one repository that does not exist or is not accessible to the parent installation.'));
    }
    const granted = installation.permissions;
    if (permissions && !Object.entries(permissions).every(([p, l]) => granted[p] !== undefined && RANK[l as Level] !== undefined && RANK[l as Level] <= RANK[granted[p]])) {
      return record(422, failure(res, 422, 'The permissions requested are not granted to this installation.'));
    }
    const token = `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
    const expiresAtMs = Date.now() + state.tokenLifetimeSeconds * 1000;
    const issued: IssuedToken = { installation, repositories: repositories ?? installation.repositories, permissions: (permissions as Record<string, Level> | undefined) ?? granted, expiresAtMs };
    tokens.set(token, issued);
    answer(res, 201, {
      token,
      expires_at: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: issued.permissions,
      repository_selection: repositories ? 'selected' : 'all',
      ...(repositories ? { repositories: repositories.map((name, i) => ({ id: 1000 + i, name, full_name: `${installation.owner}/${name}` })) } : {}),
    });
    record(201);
  }

  /** The repository endpoints, enforcing the installation token's repositories and permissions. */
  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<number> {
    const issued = tokens.get(bearer(req));
    if (!issued || issued.expiresAtMs <= Date.now()) return (failure(res, 401, 'Bad credentials'), 401);
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/issues)?$/.exec(path);
    if (!m) return (failure(res, 404, 'Not Found'), 404);
    const [, owner, repo, issues] = m;
    if (owner !== issued.installation.owner || !issued.repositories.includes(repo ?? '')) return (failure(res, 404, 'Not Found'), 404);
    const need: Level = req.method === 'GET' ? 'read' : 'write';
    const permission = issues ? 'issues' : 'metadata';
    const have = permission === 'metadata' ? 'read' : issued.permissions[permission];
    if (have === undefined || RANK[have] < RANK[need]) return (failure(res, 403, 'Resource not accessible by integration'), 403);
    if (!issues) return (answer(res, 200, { id: 1, name: repo, full_name: `${owner}/${repo}`, private: true, owner: { login: owner } }), 200);
    if (req.method === 'GET') return (answer(res, 200, []), 200);
    const body = await readJson(req);
    answer(res, 201, { number: 1, title: body.title, state: 'open' });
    return 201;
  }

  const server: Server = createServer({ cert: opts.pki.leaf.certPem, key: opts.pki.leaf.keyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://github').pathname;
    const exchange = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (req.method === 'POST' && exchange) {
      accessToken(req, res, Number(exchange[1])).catch((err: unknown) => failure(res, 500, String(err)));
      return;
    }
    api(req, res, path).then(
      (status) => void calls.push({ method: req.method ?? '', path, status }),
      (err: unknown) => failure(res, 500, String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: opts.pki.ca,
    mints,
    calls,
    get tokenLifetimeSeconds() {
      return state.tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(v: number) {
      state.tokenLifetimeSeconds = v;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
