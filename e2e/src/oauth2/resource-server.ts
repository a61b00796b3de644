// The API behind the oauth2 sources in the e2e tests: an HTTPS upstream that accepts a call only with an
// access token Hydra vouches for (RFC 7662 introspection at Hydra's admin API), active, with the scope the
// path needs (GET /reports/<scope> needs scope reports.<scope>) and, when `audience` is set, that audience.
// Introspection answers are cached until the token's own exp, as a resource server does, so tokens already
// seen stay accepted while Hydra is down and new ones cannot be checked (503).
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import type { Hydra } from '../support/hydra.js';

export interface Verdict {
  readonly token: string;
  readonly status: number;
  /** Hydra's introspection answer (client_id, sub, scope, aud, exp), when there was one. */
  readonly introspection: Record<string, unknown> | undefined;
}

export interface ResourceServer {
  readonly upstream: Upstream;
  /** Every call's token and outcome, in order. */
  readonly verdicts: Verdict[];
  /** The distinct tokens that were accepted. */
  acceptedTokens(): string[];
}

export async function startResourceServer(hydra: Hydra, audience: string | undefined): Promise<ResourceServer> {
  const verdicts: Verdict[] = [];
  const cache = new Map<string, Record<string, unknown>>();
  const introspect = async (token: string): Promise<Record<string, unknown> | undefined> => {
    const cached = cache.get(token);
    if (cached && Number(cached.exp) * 1000 > Date.now()) return cached;
    try {
      const answer = await hydra.introspect(token);
      if (answer.active === true) cache.set(token, answer);
      return answer;
    } catch {
      return undefined; // Hydra is down: the token cannot be checked
    }
  };
  const upstream = await startUpstream(testPki(), () => true, (req, res) => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const needed = `reports.${(req.url ?? '').split('/')[2] ?? ''}`;
    void introspect(token).then((info) => {
      const scopes = typeof info?.scope === 'string' ? info.scope.split(' ') : [];
      const aud = Array.isArray(info?.aud) ? info.aud : [];
      let status = 200;
      if (info === undefined) status = 503;
      else if (info.active !== true) status = 401;
      else if (!scopes.includes(needed) || (audience !== undefined && !aud.includes(audience))) status = 403;
      verdicts.push({ token, status, introspection: info });
      json(res, status, status === 200 ? { ok: true, sub: info?.sub, scope: info?.scope } : { error: status === 403 ? 'insufficient_scope' : 'invalid_token' });
    });
  });
  return {
    upstream,
    verdicts,
    acceptedTokens: () => [...new Set(verdicts.filter((v) => v.status === 200).map((v) => v.token))],
  };
}
