import { AWS_ERROR_CODES, type AwsErrorCode } from '../aws/errors/protocol-error.js';

/** The sidecar's codes (and the shared core's), with the HTTP status the sidecar answers with. */
const SIDECAR_CODES = {
  IDENTITY_UNAVAILABLE: 503,
  IDENTITY_REVIEW_FAILED: 0,
  POLICY_NOT_SYNCED: 503,
  POLICY_DENIED: 403,
  SOURCE_NOT_CONFIGURED: 503,
  CREDENTIAL_UNAVAILABLE: 503,
  CREDENTIAL_INVALID: 503,
  PATH_REJECTED: 400,
  REQUEST_REJECTED: 400,
  REQUEST_FRAMING_REJECTED: 400,
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_TLS_FAILED: 502,
  UPSTREAM_PROTOCOL_ERROR: 502,
  INTERNAL: 500,
  CONFIG_INVALID: 0,
  RESOURCE_INVALID: 0,
  CONFIG_FILE_INVALID: 0,
  CRD_SCHEMA_UNSUPPORTED: 0,
  // The sidecar's calls to the Kubernetes API (shared/src/adapters/kube/rest) and the informers built on them.
  POLICY_WATCH_FAILED: 0,
  KUBE_API_TIMEOUT: 0,
  KUBE_WATCH_SILENT: 0,
  KUBE_API_UNREACHABLE: 0,
  KUBE_API_ERROR: 0,
  KUBE_API_INVALID_ANSWER: 0,
  // Limits, budgets and the kill switch (issue 14).
  SUSPENDED: 403,
  RATE_LIMITED: 429,
  CONCURRENCY_LIMITED: 429,
  BUDGET_EXHAUSTED: 429,
  BUDGET_PRICE_UNKNOWN: 403,
  LIMIT_STORE_UNAVAILABLE: 503,
  // AWS sources: what the sidecar adds to the codes of the pure AWS core (AWS_ERROR_CODES).
  AWS_BODY_TOO_LARGE: 413,
  // Vault/OpenBao origins (sidecar/src/origins/vault): what fails closed, and what is only logged.
  VAULT_UNAVAILABLE: 503,
  VAULT_PERMISSION_DENIED: 503,
  VAULT_SECRET_NOT_FOUND: 503,
  VAULT_SECRET_DELETED: 503,
  VAULT_FIELD_MISSING: 503,
  VAULT_ANSWER_INVALID: 503,
  VAULT_RENEW_FAILED: 0,
  VAULT_REVOKE_FAILED: 0,
  // Origins that exchange the pod's projected token (origins/origin-token.ts).
  ORIGIN_TOKEN_UNAVAILABLE: 503,
  // Azure workload identity (sidecar/src/origins/azure-workload-identity).
  AZURE_TOKEN_REFUSED: 503,
  AZURE_TOKEN_UNAVAILABLE: 503,
  // GCP workload identity federation (sidecar/src/origins/gcp-workload-identity).
  GCP_TOKEN_REFUSED: 503,
  GCP_TOKEN_UNAVAILABLE: 503,
  // GitHub App installation tokens (sidecar/src/origins/github-app).
  GITHUB_APP_TOKEN_REFUSED: 503,
  GITHUB_APP_TOKEN_UNAVAILABLE: 503,
  GITHUB_APP_KEY_INVALID: 503,
  // The HTTPS_PROXY port (sidecar/src/egress): tunnels and absolute-form requests to hosts without a source.
  EGRESS_DENIED: 403,
  EGRESS_ADDRESS_BLOCKED: 403,
  EGRESS_HOST_UNRESOLVED: 502,
  EGRESS_TARGET_INVALID: 400,
  // OAuth2 origins (sidecar/src/origins/oauth2): the token endpoint's answers and what the sidecar refuses to send.
  OAUTH2_TOKEN_ENDPOINT_UNAVAILABLE: 503,
  OAUTH2_DISCOVERY_FAILED: 503,
  OAUTH2_CLIENT_REJECTED: 503,
  OAUTH2_GRANT_REJECTED: 503,
  OAUTH2_SCOPE_REJECTED: 503,
  OAUTH2_ANSWER_INVALID: 503,
  OAUTH2_CLIENT_KEY_INVALID: 503,
  OAUTH2_ASSERTION_ALREADY_USED: 503,
  // WebSocket upgrades (sidecar/src/websocket, issue 16).
  UPGRADE_NOT_SUPPORTED: 400,
  WEBSOCKET_HANDSHAKE_INVALID: 400,
  WEBSOCKET_NOT_SUPPORTED: 400,
} as const satisfies Record<string, number>;

/** The admission webhook's codes, with the HTTP status its admission server answers with. */
const WEBHOOK_CODES = {
  ADMISSION_REVIEW_INVALID: 400,
  ADMISSION_BODY_TOO_LARGE: 413,
  SOURCES_NOT_SYNCED: 503,
  SOURCE_NOT_FOUND: 0,
  NAME_CLASH: 0,
  TLS_MATERIAL_INVALID: 0,
  WEBHOOK_CONFIG_NOT_FOUND: 0,
  KUBE_API_FAILED: 0,
} as const satisfies Record<string, number>;

/** The `portcullis` CLI's codes (cli/): never an HTTP answer; the CLI exits 2 with the code and message. */
const CLI_CODES = {
  AUDIT_LINE_INVALID: 0,
  AUDIT_SCHEMA_UNSUPPORTED: 0,
  POLICY_FILE_INVALID: 0,
  POLICY_NEEDS_POD_LABELS: 0,
  REQUEST_NOT_FOUND: 0,
  SUGGESTION_TOO_LARGE: 0,
  POD_LOGS_UNAVAILABLE: 0,
  CLI_USAGE: 0,
} as const satisfies Record<string, number>;

const AWS_CODES = Object.fromEntries(Object.entries(AWS_ERROR_CODES).map(([code, info]) => [code, info.status])) as {
  readonly [C in AwsErrorCode]: number;
};

/**
 * The one catalogue of every error code Portcullis reports — the sidecar's, the webhook's, the CLI's and the AWS
 * core's (AWS_ERROR_CODES) — with the HTTP status answered at the edge (0: not an HTTP answer, e.g. a
 * start-up error). Each code is documented in docs/errors.md; codes.test.ts fails otherwise.
 */
export const ERROR_CODES: Readonly<Record<keyof typeof SIDECAR_CODES | keyof typeof WEBHOOK_CODES | keyof typeof CLI_CODES | AwsErrorCode, number>> = Object.freeze({
  ...SIDECAR_CODES,
  ...WEBHOOK_CODES,
  ...CLI_CODES,
  ...AWS_CODES,
});

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status for a code, at the edge; 500 for a code that is never an HTTP answer. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code] || 500;
}
