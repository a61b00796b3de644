// What the unit tests of the federated origins (Azure, GCP) share: a kube-apiserver-like signing key for
// projected pod tokens, and the deps an origin opens with, whose log is kept per test.
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { systemClock } from '../io/clock.js';
import { nodeFiles } from '../io/files.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { OriginDeps } from '../origins/origin.js';

export const POD_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const POD_SUBJECT = 'system:serviceaccount:team-a:agent';

export interface PodTokenOptions {
  readonly audience?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly expiresInSeconds?: number;
  /** Another key than the cluster's (a forged token). */
  readonly key?: CryptoKey;
}

export interface PodTokenSigner {
  /** A projected service-account token of team-a/agent as the kube-apiserver signs it. */
  sign(o?: PodTokenOptions): Promise<string>;
  /** What a stand-in verifying against the cluster's JWKS accepts: the payload of a token this key signed. */
  verify(jwt: string): Promise<JWTPayload>;
}

/** A signer whose tokens carry `defaultAudience` unless a test asks for another. */
export async function podTokenSigner(defaultAudience: string): Promise<PodTokenSigner> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return {
    sign(o = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ kubernetes: { namespace: 'team-a', serviceaccount: { name: 'agent' } } })
        .setProtectedHeader({ alg: 'RS256', kid: 'k8s' })
        .setIssuer(o.issuer ?? POD_ISSUER)
        .setSubject(o.subject ?? POD_SUBJECT)
        .setAudience(o.audience ?? defaultAudience)
        .setIssuedAt(now)
        .setExpirationTime(now + (o.expiresInSeconds ?? 3600))
        .sign(o.key ?? privateKey);
    },
    async verify(jwt) {
      return (await jwtVerify(jwt, publicKey, { algorithms: ['RS256'] })).payload;
    },
  };
}

/**
 * The deps of an origin under test: tokens read from `dir`, pod team-a/agent/agent-0 (none when `workload`
 * is false: not yet verified), debug logs to `log`.
 */
export function federatedOriginDeps(dir: string, log: (line: string) => void, workload = true): OriginDeps {
  const clock = systemClock();
  return {
    secretsDir: dir, credentialPollIntervalMs: 1000, stsTokenFile: '/nonexistent', vaultJwtFile: '/nonexistent', vaultTokenFile: undefined,
    originTokensDir: dir,
    workload: workload ? { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-0' } : undefined,
    metrics: createMetrics({ defaultMetrics: false }),
    log: createLogger('debug', { write: log }),
    clock, files: nodeFiles(clock),
  };
}
