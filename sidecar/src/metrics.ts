import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from './prom-client-lean.js';

/** Sidecar metrics on their own registry. Label values are bounded: sources of the namespace, fixed enums. */
export interface SidecarMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'source' | 'decision' | 'status_class'>;
  readonly duration: Histogram<'source'>;
  readonly upstreamDuration: Histogram<'source'>;
  readonly credentialReloads: Counter<'source' | 'result'>;
  /** Calls to Vault/OpenBao by source, operation (login, renew, kv_metadata, kv_data, aws_creds, …) and result (2xx, 4xx, 5xx, error). */
  readonly vaultRequests: Counter<'source' | 'operation' | 'result'>;
  /** Token requests of OAuth2 origins by source, grant and result (ok, the server's OAuth2 error code, unavailable, …). */
  readonly oauth2TokenRequests: Counter<'source' | 'grant' | 'result'>;
  readonly informerReconnects: Counter<'resource'>;
  readonly informerErrors: Counter<'resource'>;
  readonly policyGeneration: Gauge;
  readonly identityVerified: Gauge;
}

const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createMetrics(opts: { defaultMetrics: boolean }): SidecarMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics(registry, 'portcullis_sidecar_');
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'portcullis_sidecar_requests_total',
      help: 'Requests handled, by source, decision (allow, deny, audit_deny, error) and status class (2xx, …, none)',
      labelNames: ['source', 'decision', 'status_class'],
      registers,
    }),
    duration: new Histogram({
      name: 'portcullis_sidecar_request_duration_seconds',
      help: 'Time from request arrival to the end of the response',
      labelNames: ['source'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    upstreamDuration: new Histogram({
      name: 'portcullis_sidecar_upstream_duration_seconds',
      help: 'Time from sending the request upstream to receiving the response headers',
      labelNames: ['source'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    credentialReloads: new Counter({
      name: 'portcullis_sidecar_credential_reloads_total',
      help: 'Credential (re)loads by source and result (loaded, failed)',
      labelNames: ['source', 'result'],
      registers,
    }),
    vaultRequests: new Counter({
      name: 'portcullis_sidecar_vault_requests_total',
      help: 'Calls to Vault or OpenBao, by source, operation (login, renew, revoke, kv_metadata, kv_data, aws_creds, aws_sts, lease_renew, lease_revoke) and result (2xx, 4xx, 5xx, error)',
      labelNames: ['source', 'operation', 'result'],
      registers,
    }),
    oauth2TokenRequests: new Counter({
      name: 'portcullis_sidecar_oauth2_token_requests_total',
      help: 'Token requests of OAuth2 origins, by source, grant (client_credentials, jwt_bearer) and result (ok, invalid_client, invalid_grant, invalid_scope, invalid_target, invalid_request, unauthorized_client, unsupported_grant_type, other_error, unavailable, invalid_answer, discovery_failed, client_key_invalid, assertion_reused, token_file_unavailable)',
      labelNames: ['source', 'grant', 'result'],
      registers,
    }),
    informerReconnects: new Counter({
      name: 'portcullis_sidecar_informer_reconnects_total',
      help: 'Watch connections opened, by resource',
      labelNames: ['resource'],
      registers,
    }),
    informerErrors: new Counter({
      name: 'portcullis_sidecar_informer_errors_total',
      help: 'List or watch failures, by resource',
      labelNames: ['resource'],
      registers,
    }),
    policyGeneration: new Gauge({
      name: 'portcullis_sidecar_policy_generation',
      help: 'Increments each time policies or sources are recompiled',
      registers,
    }),
    identityVerified: new Gauge({
      name: 'portcullis_sidecar_identity_verified',
      help: '1 while the pod identity is verified by TokenReview, else 0',
      registers,
    }),
  };
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'none';
}
