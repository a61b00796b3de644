import type { V1Pod } from '@kubernetes/client-node';
import { PROXY_MODE_PORT, SIDECAR_ADMIN_PORT, SIDECAR_CONTAINER_NAME, type CredentialSource } from '@portcullis/shared';

/** How far above the default the webhook looks for a free admin or proxy port. */
const PORT_SEARCH = 100;

export interface AdminPortChoice {
  readonly adminPort: number;
  readonly warnings: readonly string[];
}

/** The TCP ports the pod's containers declare (init and regular, without a proxy copy), with who declares them. */
export function declaredPorts(pod: V1Pod): ReadonlyMap<number, string> {
  const ports = new Map<number, string>();
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    if (c.name === SIDECAR_CONTAINER_NAME) continue;
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP') === 'TCP' && !ports.has(p.containerPort)) ports.set(p.containerPort, c.name);
    }
  }
  return ports;
}

export interface PortChoice {
  readonly port: number;
  readonly warnings: readonly string[];
}

/**
 * `preferred` unless a container declares it (Kubernetes would accept the pod and one of the two would
 * fail to bind), a selected source listens on it or the proxy already uses it for something else
 * (`reserved`); else the first port above it that is free of all three. Deterministic, so a recreated
 * pod gets the same port. `what` names the port in the warning.
 */
function choosePort(preferred: number, what: string, declared: ReadonlyMap<number, string>, selected: readonly CredentialSource[], reserved: ReadonlyMap<number, string>): PortChoice {
  const taken = (port: number): boolean => declared.has(port) || reserved.has(port) || selected.some((cs) => cs.spec.port === port);
  if (!taken(preferred)) return { port: preferred, warnings: [] };
  const holder = declared.get(preferred);
  const source = selected.find((cs) => cs.spec.port === preferred)?.metadata.name;
  const why =
    holder !== undefined ? `container ${holder} declares port ${preferred}`
    : source !== undefined ? `CredentialSource ${source} uses port ${preferred}`
    : `the proxy's ${reserved.get(preferred) ?? ''} is ${preferred}`;
  for (let port = preferred + 1; port <= preferred + PORT_SEARCH; port++) {
    if (!taken(port)) return { port, warnings: [`${why}: ${what} is ${port} instead`] };
  }
  return {
    port: preferred,
    warnings: [`${why} and every port up to ${preferred + PORT_SEARCH} is taken: the proxy keeps ${preferred} for ${what} and one of the two will fail to bind`],
  };
}

/** The proxy's admin port (probes, /metrics): SIDECAR_ADMIN_PORT unless a container or a selected source holds it. */
export function chooseAdminPort(declared: ReadonlyMap<number, string>, selected: readonly CredentialSource[]): AdminPortChoice {
  const choice = choosePort(SIDECAR_ADMIN_PORT, "the proxy's admin port (probes, /metrics)", declared, selected, new Map());
  return { adminPort: choice.port, warnings: choice.warnings };
}

/** Proxy mode's HTTPS_PROXY port: PROXY_MODE_PORT unless a container, a selected source or the admin port holds it. */
export function chooseProxyPort(declared: ReadonlyMap<number, string>, selected: readonly CredentialSource[], adminPort: number): PortChoice {
  return choosePort(PROXY_MODE_PORT, 'the HTTPS_PROXY port (HTTPS_PROXY, --proxy-port)', declared, selected, new Map([[adminPort, 'admin port']]));
}

/** A source's loopback listener and a container's declared port on the same number cannot both bind. */
export function sourcePortWarnings(declared: ReadonlyMap<number, string>, selected: readonly CredentialSource[]): string[] {
  return selected.flatMap((cs) => {
    const holder = declared.get(cs.spec.port);
    return holder === undefined
      ? []
      : [`container ${holder} declares port ${cs.spec.port}, which the proxy listens on for CredentialSource ${cs.metadata.name ?? ''}: one of them will fail to bind; change the source's spec.port or the container's port`];
  });
}
