// Pod annotations the webhook reads and writes. Documented in docs/webhook.md.
const PREFIX = 'portcullis.dev/';

export const ANNOTATIONS = {
  /** "true" asks for injection. */
  inject: `${PREFIX}inject`,
  /** Comma-separated CredentialSource names; absent: every source of the namespace. */
  sources: `${PREFIX}sources`,
  /** Written by the webhook: what was injected (JSON). Its presence marks an injected pod. */
  status: `${PREFIX}status`,
  /** Written by the webhook when a pod asked for injection and did not get it. */
  skipReason: `${PREFIX}skip-reason`,
  /** Per-pod overrides of the sidecar's configuration. */
  image: `${PREFIX}proxy-image`,
  cpuRequest: `${PREFIX}proxy-cpu-request`,
  memoryRequest: `${PREFIX}proxy-memory-request`,
  cpuLimit: `${PREFIX}proxy-cpu-limit`,
  memoryLimit: `${PREFIX}proxy-memory-limit`,
  logLevel: `${PREFIX}proxy-log-level`,
  /** "true": HTTPS_PROXY mode (docs/proxy-mode.md): the proxy port, the pod CA volume and the proxy/trust env vars. */
  proxyMode: `${PREFIX}proxy-mode`,
} as const;

/** Splits `a, b,,a` into unique names in order: ["a", "b"]. */
export function parseNameList(raw: string): string[] {
  const names: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names;
}
