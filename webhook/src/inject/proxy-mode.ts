import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { PROXY_CA_DIR, PROXY_CA_VOLUME, proxyModeEnv, type CredentialSource, type NoProxyTargets } from '@portcullis/shared';
import { ANNOTATIONS } from './annotations.js';
import type { PortChoice } from './ports.js';

export interface ProxyModeInjection {
  readonly port: number;
  readonly volume: V1Volume;
  /** The sidecar writes the CA certificate here. */
  readonly sidecarMount: V1VolumeMount;
  /** Every app container reads it here, read-only. */
  readonly appMount: V1VolumeMount;
  readonly env: readonly V1EnvVar[];
}

/**
 * Whether the pod gets HTTPS_PROXY mode: the annotation portcullis.dev/proxy-mode decides when set
 * ("true" or "false"); without it, a selected CredentialSource with spec.proxyMode: true turns it on.
 */
export function wantsProxyMode(annotations: Readonly<Record<string, string>>, selected: readonly CredentialSource[]): boolean {
  const asked = annotations[ANNOTATIONS.proxyMode];
  if (asked === 'true') return true;
  if (asked === 'false') return false;
  return selected.some((cs) => cs.spec.proxyMode === true);
}

/**
 * What proxy mode adds: the port (PROXY_MODE_PORT unless the pod holds it: ports.ts), an in-memory
 * emptyDir for the pod CA's certificate (the sidecar writes it at start, before the app starts: a native
 * sidecar is ready first; the CA's key is never written), and the proxy and trust env vars, with NO_PROXY
 * naming the cluster's domain and Service CIDRs (in-cluster calls go direct).
 */
export function proxyModeInjection(port: number, targets: NoProxyTargets): ProxyModeInjection {
  return {
    port,
    volume: { name: PROXY_CA_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    sidecarMount: { name: PROXY_CA_VOLUME, mountPath: PROXY_CA_DIR },
    appMount: { name: PROXY_CA_VOLUME, mountPath: PROXY_CA_DIR, readOnly: true },
    env: proxyModeEnv(port, targets),
  };
}


/** Proxy mode when the pod or a selected source asks for it, on the port `choose` picks (with its warnings when it moved). */
export function proxyModeFor(
  annotations: Readonly<Record<string, string>>,
  selected: readonly CredentialSource[],
  choose: () => PortChoice,
  targets: NoProxyTargets,
): { readonly injection: ProxyModeInjection | undefined; readonly warnings: readonly string[] } {
  if (!wantsProxyMode(annotations, selected)) return { injection: undefined, warnings: [] };
  const choice = choose();
  return { injection: proxyModeInjection(choice.port, targets), warnings: choice.warnings };
}

/** The sidecar's volumes plus the CA folder (mounted read-write into the sidecar) in proxy mode. */
export function withProxyVolume<T extends { readonly volumes: readonly V1Volume[]; readonly mounts: readonly V1VolumeMount[] }>(vols: T, proxy: ProxyModeInjection | undefined): T {
  if (!proxy) return vols;
  return { ...vols, volumes: [...vols.volumes, proxy.volume], mounts: [...vols.mounts, proxy.sidecarMount] };
}

/** What every app container gets: the sources' env vars, and in proxy mode its env vars and the CA mount. */
export function appAdditions(sourceVars: readonly V1EnvVar[], proxy: ProxyModeInjection | undefined): { env: V1EnvVar[]; mounts: V1VolumeMount[] } {
  if (!proxy) return { env: [...sourceVars], mounts: [] };
  return { env: [...sourceVars, ...proxy.env], mounts: [proxy.appMount] };
}

/** The status annotation's proxyMode and proxyPort fields, so reinvocations give later containers the same. */
export function proxyStatus(proxy: ProxyModeInjection | undefined): { proxyMode?: true; proxyPort?: number } {
  return proxy ? { proxyMode: true, proxyPort: proxy.port } : {};
}

/** The sidecar's --proxy-port, when proxy mode is on. */
export function proxyPortOf(proxy: ProxyModeInjection | undefined): number | undefined {
  return proxy?.port;
}
