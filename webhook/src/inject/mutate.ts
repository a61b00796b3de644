import type { V1Container, V1EnvVar, V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { ANNOTATIONS } from './annotations.js';
import { SIDECAR_CONTAINER_NAME } from '@portcullis/shared';
import { withEnv } from './env.js';

/** What the webhook records in portcullis.dev/status (JSON, deterministic: no timestamps). */
export interface InjectionStatus {
  readonly version: 1;
  readonly mode: 'native' | 'container';
  readonly container: string;
  readonly sources: readonly string[];
  readonly unknownSources?: readonly string[];
  readonly volumes: readonly string[];
  /** HTTPS_PROXY mode was injected: containers added later get its env vars and CA mount too. */
  readonly proxyMode?: true;
  /** The HTTPS_PROXY port it was given (PROXY_MODE_PORT unless the pod held that; absent on older pods: the default). */
  readonly proxyPort?: number;
}

export interface Injection {
  readonly sidecar: V1Container;
  readonly volumes: readonly V1Volume[];
  readonly env: readonly V1EnvVar[];
  /** Mounted into every app container (read-only): proxy mode's CA folder. */
  readonly appMounts: readonly V1VolumeMount[];
  readonly status: InjectionStatus;
  /** Stale copies of our own objects to replace (inject/clash.ts); nothing else of the pod is removed. */
  readonly drop: { readonly proxy: boolean; readonly volumes: ReadonlySet<string> };
  /** Pull secrets for the proxy image, added when the pod does not list them yet. */
  readonly imagePullSecrets: readonly string[];
}

const isSidecar = (c: V1Container): boolean => c.name === SIDECAR_CONTAINER_NAME;

/** True when the pod carries our status annotation and our container: it went through the webhook. */
export function isInjected(pod: V1Pod): boolean {
  const annotated = pod.metadata?.annotations?.[ANNOTATIONS.status] !== undefined;
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return annotated && containers.some(isSidecar);
}

/** The container with the mounts it does not have yet (by volume name or path); the user's own are kept. */
function withMounts(container: V1Container, mounts: readonly V1VolumeMount[]): V1Container {
  const own = container.volumeMounts ?? [];
  const missing = mounts.filter((m) => !own.some((o) => o.name === m.name || o.mountPath === m.mountPath));
  if (missing.length === 0) return container;
  return { ...container, volumeMounts: [...own, ...missing.map((m) => ({ ...m }))] };
}

function withAppEnv(containers: readonly V1Container[] | undefined, env: readonly V1EnvVar[], mounts: readonly V1VolumeMount[]): V1Container[] | undefined {
  return containers?.map((c) => (isSidecar(c) ? c : withMounts(withEnv(c, env), mounts)));
}

/**
 * A pod that already went through the webhook (a reinvocation, or the webhook's own output) keeps its
 * sidecar and volumes as they are — the API server has defaulted their fields since — and only app
 * containers added after the first pass get the sources' env vars. Applying this twice changes nothing.
 */
export function reconcileInjected(pod: V1Pod, env: readonly V1EnvVar[], mounts: readonly V1VolumeMount[] = []): V1Pod {
  const spec = pod.spec;
  if (!spec) return pod;
  const containers = withAppEnv(spec.containers, env, mounts) ?? [];
  const initContainers = withAppEnv(spec.initContainers, env, mounts);
  return { ...pod, spec: { ...spec, containers, ...(initContainers ? { initContainers } : {}) } };
}

/**
 * Injects into a pod that has not been injected. Only the stale copies `injection.drop` names are
 * removed; the caller has refused the pod when anything else of it uses one of our names.
 */
export function inject(pod: V1Pod, injection: Injection): V1Pod {
  const spec = pod.spec ?? { containers: [] };
  const keep = (c: V1Container): boolean => !(injection.drop.proxy && isSidecar(c));
  const app = (c: V1Container): V1Container => withMounts(withEnv(c, injection.env), injection.appMounts);
  const containers = (spec.containers ?? []).filter(keep).map(app);
  const initContainers = (spec.initContainers ?? []).filter(keep).map(app);
  if (injection.status.mode === 'native') initContainers.unshift(injection.sidecar);
  else containers.unshift(injection.sidecar);
  const volumes = [...(spec.volumes ?? []).filter((v) => !injection.drop.volumes.has(v.name)), ...injection.volumes];
  const listed = new Set((spec.imagePullSecrets ?? []).map((r) => r.name));
  const missing = injection.imagePullSecrets.filter((name) => !listed.has(name));
  const imagePullSecrets = missing.length > 0 ? [...(spec.imagePullSecrets ?? []), ...missing.map((name) => ({ name }))] : spec.imagePullSecrets;
  const annotations: Record<string, string> = { ...(pod.metadata?.annotations ?? {}) };
  delete annotations[ANNOTATIONS.skipReason];
  annotations[ANNOTATIONS.status] = JSON.stringify(injection.status);
  return {
    ...pod,
    metadata: { ...pod.metadata, annotations },
    spec: { ...spec, containers, ...(initContainers.length > 0 ? { initContainers } : {}), volumes, ...(imagePullSecrets ? { imagePullSecrets } : {}) },
  };
}

/** Records why a pod that asked for injection did not get it. */
export function markSkipped(pod: V1Pod, reason: string): V1Pod {
  const annotations = { ...(pod.metadata?.annotations ?? {}), [ANNOTATIONS.skipReason]: reason };
  return { ...pod, metadata: { ...pod.metadata, annotations } };
}
