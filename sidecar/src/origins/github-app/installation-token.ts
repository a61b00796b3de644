import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { PortcullisError, type ResolvedGithubApp } from '@portcullis/shared';
import type { Expiring } from '../refreshing-value.js';
import { githubAnswerError, githubUnreachable } from './github-error.js';

/** GitHub must answer each exchange within this. */
export const GITHUB_TIMEOUT_MS = 10_000;
/** An access-token answer is a few hundred bytes (more with many repositories); a larger one is refused. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface InstallationTokenTarget {
  /** The source's upstream: https://api.github.com or https://<host>/api/v3. */
  readonly apiUrl: URL;
  readonly caBundle: string | undefined;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

function post(url: URL, caBundle: string | undefined, headers: Record<string, string>, payload: string): Promise<Answer> {
  const tls = url.protocol === 'https:';
  const request = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
        timeout: GITHUB_TIMEOUT_MS,
        ...(tls && caBundle !== undefined ? { ca: [...rootCertificates, caBundle] } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new PortcullisError('GITHUB_APP_TOKEN_UNAVAILABLE', `GitHub answered more than ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new PortcullisError('GITHUB_APP_TOKEN_UNAVAILABLE', `no answer within ${GITHUB_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * POST <apiUrl>/app/installations/<id>/access_tokens with the app JWT, narrowed to the spec's
 * repositories and permissions: the installation token and its expiry. The only I/O of the GitHub origin;
 * it never logs (the answer is the token).
 */
export async function mintInstallationToken(spec: ResolvedGithubApp, target: InstallationTokenTarget, jwt: string, source: string): Promise<Expiring<string>> {
  const base = target.apiUrl.pathname.replace(/\/+$/, '');
  const url = new URL(`${base}/app/installations/${spec.installationId}/access_tokens`, target.apiUrl.origin);
  const body: Record<string, unknown> = {};
  if (spec.repositories) body.repositories = spec.repositories;
  if (spec.permissions) body.permissions = spec.permissions;
  let answer: Answer;
  try {
    answer = await post(url, target.caBundle, {
      authorization: `Bearer ${jwt}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'portcullis-sidecar',
    }, JSON.stringify(body));
  } catch (err) {
    throw githubUnreachable(err, { source, url });
  }
  if (answer.status !== 201) throw githubAnswerError(answer.status, answer.body, { source, appId: spec.appId, installationId: spec.installationId });
  const { token, expires_at: expiresAt } = (answer.body ?? {}) as { token?: unknown; expires_at?: unknown };
  const expiresAtMs = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
  if (typeof token !== 'string' || token === '' || Number.isNaN(expiresAtMs)) {
    throw new PortcullisError('GITHUB_APP_TOKEN_UNAVAILABLE', `GitHub answered the token exchange of source "${source}" without a token and expires_at; check that the upstream is the GitHub API (https://api.github.com or https://<host>/api/v3)`);
  }
  return { value: token, expiresAtMs };
}
