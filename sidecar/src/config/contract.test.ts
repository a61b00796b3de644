// The sidecar side of the webhook↔sidecar contract (@portcullis/shared contract/): the args the webhook
// injects (sidecarArgs, checked against the webhook's container in webhook/src/inject/contract.test.ts)
// parse with the sidecar's own parser into reading exactly the files the webhook mounts.
import { describe, expect, it } from '@jest/globals';
import {
  POD_NAMESPACE_ENV,
  SIDECAR_ADMIN_PORT,
  SIDECAR_DEFAULT_FILES,
  SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS,
  SIDECAR_REDIS_FILES,
  sidecarArgs,
  type SidecarArgsInput,
} from '@portcullis/shared';
import type { SidecarOptions } from './options.js';
import { parseOptions } from './parse.js';

/** What the kubelet does to args: expand `$(VAR)` from the container's env. */
const expand = (args: readonly string[], env: Readonly<Record<string, string>>): string[] =>
  args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole));

/** The pod's env: the downward-API namespace the webhook sets and what the kubelet sets in every pod. */
const POD_ENV = { [POD_NAMESPACE_ENV]: 'team-a', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };

function injected(input: SidecarArgsInput): SidecarOptions {
  return parseOptions(expand(sidecarArgs(input), POD_ENV), POD_ENV);
}

describe('the sidecar contract, sidecar side', () => {
  it('reads every file where the webhook mounts it', () => {
    const o = injected({ sources: undefined, logLevel: undefined, youngGenerationMiB: undefined, adminPort: SIDECAR_ADMIN_PORT, identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS });
    expect(o.mode).toEqual({
      kind: 'cluster',
      namespace: 'team-a',
      identityTokenFile: SIDECAR_DEFAULT_FILES.identityToken,
      api: { kind: 'token', server: 'https://10.0.0.1:443', tokenFile: SIDECAR_DEFAULT_FILES.apiToken, caFile: SIDECAR_DEFAULT_FILES.apiCa },
      labelsFile: SIDECAR_DEFAULT_FILES.labels,
    });
    expect(o.secretsDir).toBe(SIDECAR_DEFAULT_FILES.secretsDir);
    expect(o.stsTokenFile).toBe(SIDECAR_DEFAULT_FILES.stsToken);
    expect(o.originTokensDir).toBe(SIDECAR_DEFAULT_FILES.originTokensDir);
  });

  it('reads the Redis address, TLS, and the password and CA files where the webhook mounts them', () => {
    const o = injected({
      sources: undefined, logLevel: undefined, youngGenerationMiB: undefined, adminPort: SIDECAR_ADMIN_PORT, identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS,
      redis: { address: 'redis.portcullis.svc:6380', tls: true, password: true, ca: true },
    });
    expect(o.redis).toEqual({ host: 'redis.portcullis.svc', port: 6380, tls: true, caFile: SIDECAR_REDIS_FILES.ca, username: undefined, passwordFile: SIDECAR_REDIS_FILES.password });
  });

  it('serves on the default admin port the webhook probes when no --admin-port is passed', () => {
    const args = sidecarArgs({ sources: undefined, logLevel: undefined, youngGenerationMiB: undefined, adminPort: SIDECAR_ADMIN_PORT, identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS });
    expect(args.some((a) => a.includes('admin-port'))).toBe(false);
    expect(injected({ sources: undefined, logLevel: undefined, youngGenerationMiB: undefined, adminPort: SIDECAR_ADMIN_PORT, identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS }).adminPort).toBe(SIDECAR_ADMIN_PORT);
  });

  it('takes every setting the webhook passes', () => {
    const o = injected({ sources: ['openai', 's3'], logLevel: 'debug', youngGenerationMiB: 8, adminPort: SIDECAR_ADMIN_PORT + 1, identityReviewIntervalSeconds: 60 });
    expect(o.sources).toEqual(new Set(['openai', 's3']));
    expect(o.logLevel).toBe('debug');
    expect(o.youngGenerationMiB).toBe(8);
    expect(o.adminPort).toBe(SIDECAR_ADMIN_PORT + 1);
    expect(o.identityReviewIntervalMs).toBe(60_000);
  });

  it("reviews on the sidecar's own default interval when the webhook passes none", () => {
    const input = { sources: undefined, logLevel: undefined, youngGenerationMiB: undefined, adminPort: SIDECAR_ADMIN_PORT, identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS };
    expect(sidecarArgs(input).some((a) => a.includes('identity-review-interval'))).toBe(false);
    expect(injected(input).identityReviewIntervalMs).toBe(SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS * 1000);
  });
});
