import type { V1Container, V1Probe, V1ResourceRequirements, V1VolumeMount } from '@kubernetes/client-node';
import {
  HEALTHZ_PATH,
  POD_NAME_ENV,
  POD_NAMESPACE_ENV,
  READYZ_PATH,
  SIDECAR_ADMIN_PORT_NAME,
  SIDECAR_CONTAINER_NAME,
  sidecarArgs,
} from '@portcullis/shared';
import type { InjectorConfig } from './config.js';
import type { SidecarSettings } from './overrides.js';

export interface SidecarSpec {
  readonly settings: SidecarSettings;
  readonly mounts: readonly V1VolumeMount[];
  /** The names portcullis.dev/sources asked for; undefined: the sidecar serves every source of the namespace. */
  readonly sources: readonly string[] | undefined;
  /** The admin port for this pod (inject/ports.ts): the default unless a container declares it. */
  readonly adminPort: number;
  /** Proxy mode's HTTPS_PROXY port; undefined: off. */
  readonly proxyPort?: number | undefined;
}

const probe = (path: string, port: number, periodSeconds: number, failureThreshold: number): V1Probe => ({
  httpGet: { path, port, scheme: 'HTTP' },
  periodSeconds,
  timeoutSeconds: 1,
  failureThreshold,
});

const args = (spec: SidecarSpec, config: InjectorConfig): string[] =>
  sidecarArgs({
    sources: spec.sources,
    logLevel: spec.settings.logLevel,
    youngGenerationMiB: config.youngGenerationMiB,
    adminPort: spec.adminPort,
    identityReviewIntervalSeconds: config.identityReviewIntervalSeconds,
    proxyPort: spec.proxyPort,
    redis: config.redis
      ? { address: config.redis.address, tls: config.redis.tls, password: config.redis.secretName !== undefined && config.redis.passwordKey !== undefined, ca: config.redis.secretName !== undefined && config.redis.caKey !== undefined }
      : undefined,
  });

function resources(spec: SidecarSpec): V1ResourceRequirements {
  const { requests, limits } = spec.settings.resources;
  const out: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  if (Object.keys(requests).length > 0) out.requests = { ...requests };
  if (Object.keys(limits).length > 0) out.limits = { ...limits };
  return out;
}

/**
 * The proxy container. As a native sidecar (`restartPolicy: Always` in initContainers) the kubelet
 * starts it before the next init container and waits for its startup probe, so the app starts with a
 * ready proxy and Jobs complete when the app exits. As a regular container it comes first and its
 * postStart hook blocks the kubelet from starting the app containers until /readyz answers.
 */
export function sidecarContainer(spec: SidecarSpec, config: InjectorConfig): V1Container {
  const container: V1Container = {
    name: SIDECAR_CONTAINER_NAME,
    image: spec.settings.image,
    imagePullPolicy: config.imagePullPolicy,
    args: args(spec, config),
    env: [
      { name: POD_NAMESPACE_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    ports: [{ name: SIDECAR_ADMIN_PORT_NAME, containerPort: spec.adminPort, protocol: 'TCP' }],
    resources: resources(spec),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: config.runAsUser,
      runAsGroup: config.runAsUser,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    startupProbe: probe(READYZ_PATH, spec.adminPort, 1, 120),
    readinessProbe: probe(READYZ_PATH, spec.adminPort, 5, 3),
    livenessProbe: probe(HEALTHZ_PATH, spec.adminPort, 10, 3),
    volumeMounts: spec.mounts.map((m) => ({ ...m })),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  if (config.nativeSidecar) return { ...container, restartPolicy: 'Always' };
  return { ...container, lifecycle: { postStart: { exec: { command: [...config.holdCommand(spec.adminPort)] } } } };
}
