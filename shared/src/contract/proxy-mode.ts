// Proxy mode (HTTPS_PROXY) of an injected pod: what the webhook sets up and the sidecar serves
// (docs/proxy-mode.md). The pod opts in with the annotation portcullis.dev/proxy-mode: "true".

/** The sidecar's HTTPS_PROXY port on loopback; next to the admin port (15190). */
export const PROXY_MODE_PORT = 15191;

/** The folder the sidecar writes the pod CA certificate into; app containers mount it read-only. */
export const PROXY_CA_DIR = '/var/run/portcullis.dev/proxy-ca';
export const PROXY_CA_VOLUME = 'portcullis-proxy-ca';
/** The pod CA alone (for runtimes that add it to their own roots: NODE_EXTRA_CA_CERTS). */
export const PROXY_CA_FILE = `${PROXY_CA_DIR}/ca.crt`;
/** The system roots plus the pod CA (for runtimes that replace their roots: SSL_CERT_FILE, REQUESTS_CA_BUNDLE, …). */
export const PROXY_CA_BUNDLE_FILE = `${PROXY_CA_DIR}/ca-bundle.crt`;

/** What NO_PROXY keeps away from the proxy besides loopback: the cluster's own names and addresses. */
export interface NoProxyTargets {
  /** The cluster DNS domain (cluster.local unless the cluster was set up with another). */
  readonly clusterDomain: string;
  /** The Service CIDRs (e.g. 10.96.0.0/12), so calls to a Service's ClusterIP go direct; may be empty. */
  readonly serviceCidrs: readonly string[];
}

/** The NO_PROXY value: loopback, `.svc` and the cluster domain, then the Service CIDRs. */
export function noProxyValue(targets: NoProxyTargets): string {
  return ['localhost', '127.0.0.1', '::1', '.svc', `.${targets.clusterDomain}`, ...targets.serviceCidrs].join(',');
}

/**
 * The env vars an app container gets in proxy mode (none overrides what the user set): the proxy, for
 * every runtime's spelling, what bypasses it (loopback, in-cluster names and Service addresses), and the
 * trust variables the common runtimes read.
 */
export function proxyModeEnv(port: number, targets: NoProxyTargets): { name: string; value: string }[] {
  const proxy = `http://127.0.0.1:${port}`;
  const noProxy = noProxyValue(targets);
  return [
    { name: 'HTTPS_PROXY', value: proxy },
    { name: 'https_proxy', value: proxy },
    { name: 'HTTP_PROXY', value: proxy },
    { name: 'http_proxy', value: proxy },
    { name: 'NO_PROXY', value: noProxy },
    { name: 'no_proxy', value: noProxy },
    { name: 'NODE_USE_ENV_PROXY', value: '1' },
    { name: 'SSL_CERT_FILE', value: PROXY_CA_BUNDLE_FILE },
    { name: 'REQUESTS_CA_BUNDLE', value: PROXY_CA_BUNDLE_FILE },
    { name: 'CURL_CA_BUNDLE', value: PROXY_CA_BUNDLE_FILE },
    { name: 'AWS_CA_BUNDLE', value: PROXY_CA_BUNDLE_FILE },
    { name: 'NODE_EXTRA_CA_CERTS', value: PROXY_CA_FILE },
  ];
}
