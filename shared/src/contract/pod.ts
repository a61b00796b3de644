// What the webhook and the sidecar agree on about an injected pod: the proxy container's name and admin
// port, the volumes the webhook adds and where they are mounted, the tokens' audiences and the env vars
// the sidecar reads. Both workspaces import these; neither keeps its own copy.

/** Name of the injected proxy container (native sidecar or regular container). */
export const SIDECAR_CONTAINER_NAME = 'portcullis-proxy';

/**
 * The sidecar's default admin port: /healthz, /readyz and /metrics. Outside Istio's 15000–15090 and
 * Linkerd's 4140–4191; when a container of the pod declares it, the webhook picks the next free port
 * (webhook/src/inject/ports.ts, ADR 0014) and passes it with --admin-port.
 */
export const SIDECAR_ADMIN_PORT = 15190;
/** Container port name of the admin port (an IANA service name: at most 15 characters). */
export const SIDECAR_ADMIN_PORT_NAME = 'portcullis-adm';
export const READYZ_PATH = '/readyz';
export const HEALTHZ_PATH = '/healthz';

/** Audience of the identity token the sidecar has reviewed with TokenReview. */
export const IDENTITY_AUDIENCE = 'portcullis';
/** Default audience of the token presented to AWS STS (CredentialSource spec.aws.webIdentity.tokenAudience). */
export const DEFAULT_STS_AUDIENCE = 'sts.amazonaws.com';
/** Default audience of the token presented to Vault's Kubernetes auth (spec.*.vault.auth.kubernetes.tokenAudience). */
export const DEFAULT_VAULT_AUDIENCE = 'vault';

const ROOT = '/var/run/secrets/portcullis.dev';

/** Folders mounted into the sidecar container only. A source's Secret keys are under `sources/<source>/`. */
export const MOUNT_PATHS = {
  identity: `${ROOT}/identity`,
  api: `${ROOT}/api`,
  sts: `${ROOT}/sts`,
  vault: `${ROOT}/vault`,
  /**
   * Projected tokens a credential origin presents to a token endpoint of its own (Entra, Google STS, an
   * OAuth2 server): one file per source that needs one, named after the source, with that source's
   * audience. One projected volume, mounted into the sidecar only.
   */
  originTokens: `${ROOT}/origin-tokens`,
  sources: `${ROOT}/sources`,
  podinfo: '/etc/portcullis/podinfo',
  /** The Redis password (and CA) of the shared limit store, from the Secret the chart names. */
  redis: `${ROOT}/redis`,
} as const;

/** File names inside those folders. */
export const FILE_NAMES = { token: 'token', ca: 'ca.crt', labels: 'labels', password: 'password' } as const;

/**
 * Where the API server's ServiceAccount admission plugin mounts its kube-api-access token. The proxy
 * mounts its own API volume here too: the plugin skips a container that already has a mount at this
 * path, so the proxy does not get a second, redundant API token (ADR 0014).
 */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The ConfigMap every namespace has with the API server's CA (published by kube-controller-manager). */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';

/** Names of the volumes the webhook adds; Secret volumes are `${SOURCE_VOLUME_PREFIX}<source>`. */
export const VOLUME_NAMES = {
  identity: 'portcullis-identity',
  api: 'portcullis-api',
  sts: 'portcullis-sts',
  vault: 'portcullis-vault',
  originTokens: 'portcullis-origin-tokens',
  podinfo: 'portcullis-podinfo',
  redis: 'portcullis-redis',
} as const;
export const SOURCE_VOLUME_PREFIX = 'portcullis-src-';

/** Env var the sidecar reads its namespace from (downward API), and the pod name for its logs. */
export const POD_NAMESPACE_ENV = 'POD_NAMESPACE';
export const POD_NAME_ENV = 'POD_NAME';
