import type { V1Pod } from '@kubernetes/client-node';
import { SIDECAR_ADMIN_PORT, SIDECAR_CONTAINER_NAME, type CredentialSource } from '@portcullis/shared';

/** How far above the default the webhook looks for a free admin port. */
const ADMIN_PORT_SEARCH = 100;

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

/**
 * The proxy's admin port: the default unless a container declares it (Kubernetes would accept the pod
 * and one of the two would fail to bind), else the first port above it that no container declares and
 * no selected source listens on. Deterministic, so a recreated pod gets the same port.
 */
export function chooseAdminPort(declared: ReadonlyMap<number, string>, selected: readonly CredentialSource[]): AdminPortChoice {
  const taken = (port: number): boolean => declared.has(port) || selected.some((cs) => cs.spec.port === port);
  if (!taken(SIDECAR_ADMIN_PORT)) return { adminPort: SIDECAR_ADMIN_PORT, warnings: [] };
  const holder = declared.get(SIDECAR_ADMIN_PORT);
  const why = holder !== undefined ? `container ${holder} declares port ${SIDECAR_ADMIN_PORT}` : `a selected CredentialSource uses port ${SIDECAR_ADMIN_PORT}`;
  for (let port = SIDECAR_ADMIN_PORT + 1; port <= SIDECAR_ADMIN_PORT + ADMIN_PORT_SEARCH; port++) {
    if (!taken(port)) return { adminPort: port, warnings: [`${why}: the proxy's admin port (probes, /metrics) is ${port} instead`] };
  }
  return {
    adminPort: SIDECAR_ADMIN_PORT,
    warnings: [`${why} and every port up to ${SIDECAR_ADMIN_PORT + ADMIN_PORT_SEARCH} is taken: the proxy keeps ${SIDECAR_ADMIN_PORT} and one of the two will fail to bind`],
  };
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
