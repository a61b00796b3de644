import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { MOUNT_PATHS, ROOT_CA_CONFIG_MAP, SIDECAR_ADMIN_PORT_NAME, SIDECAR_CONTAINER_NAME, SOURCE_VOLUME_PREFIX, VOLUME_NAMES } from '@portcullis/shared';
import { ANNOTATIONS } from './annotations.js';

/**
 * True for a volume name this webhook uses. A name alone never makes a volume ours: this file also checks
 * its shape and that no other container mounts it before replacing it.
 */
function isOwnVolume(name: string): boolean {
  return name.startsWith(SOURCE_VOLUME_PREFIX) || (Object.values(VOLUME_NAMES) as string[]).includes(name);
}

/**
 * What a pod that has not been injected already holds under our names (ADR 0014): stale copies of our
 * own objects, which are replaced, and the pod's own objects, which are never touched — the pod is
 * refused instead, with a message saying what to rename.
 */
export interface NameCheck {
  /** A stale copy of our proxy container is in the pod: drop it. */
  readonly dropProxy: boolean;
  /** Stale copies of our volumes: drop them (ours with the same name are added). */
  readonly dropVolumes: ReadonlySet<string>;
  /** One message per object of the pod's own that uses a name we need; non-empty: refuse the pod. */
  readonly clashes: readonly string[];
  /** Names of the stale copies dropped, for the admission warning. */
  readonly replaced: readonly string[];
}

const containersOf = (pod: V1Pod): V1Container[] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

/**
 * Our proxy container as the webhook writes it: its name, its admin port name and the identity token
 * mounted where the sidecar reads it. A spec copied from an injected pod has all three; a container of
 * the user's that merely shares the name does not.
 */
export function isProxyCopy(c: V1Container): boolean {
  return (
    c.name === SIDECAR_CONTAINER_NAME &&
    (c.ports ?? []).some((p) => p.name === SIDECAR_ADMIN_PORT_NAME) &&
    (c.volumeMounts ?? []).some((m) => m.name === VOLUME_NAMES.identity && m.mountPath === MOUNT_PATHS.identity)
  );
}

/** The kind of volume the webhook writes under this name: tokens and the CA, pod labels, or a Secret. */
export function hasOwnShape(v: V1Volume): boolean {
  if (v.name === VOLUME_NAMES.podinfo) return v.downwardAPI !== undefined;
  if (v.name.startsWith(SOURCE_VOLUME_PREFIX) || v.name === VOLUME_NAMES.redis) return v.secret !== undefined;
  const sources = v.projected?.sources ?? [];
  return sources.length > 0 && sources.every((s) => s.serviceAccountToken !== undefined || s.configMap?.name === ROOT_CA_CONFIG_MAP);
}

/** The volume names in the pod's status annotation; none without one (no JSON.parse('') throwing per admission). */
function recordedVolumes(pod: V1Pod): ReadonlySet<string> {
  const annotation = pod.metadata?.annotations?.[ANNOTATIONS.status];
  if (annotation === undefined) return new Set();
  try {
    const status = JSON.parse(annotation) as { volumes?: unknown } | null;
    if (status === null || typeof status !== 'object') return new Set();
    return new Set(Array.isArray(status.volumes) ? status.volumes.filter((n): n is string => typeof n === 'string') : []);
  } catch {
    return new Set();
  }
}

function mountsOf(name: string, containers: readonly V1Container[]): string[] {
  return containers.flatMap((c) => (c.volumeMounts ?? []).filter((m) => m.name === name).map((m) => `container ${c.name} at ${m.mountPath}`));
}

type Verdict = 'keep' | 'drop' | 'clash';

interface VolumeContext {
  readonly needed: boolean;
  /** Containers other than a stale proxy that mount the volume ("container app at /data"). */
  readonly users: readonly string[];
  readonly recorded: boolean;
  readonly mountedByStaleProxy: boolean;
}

/**
 * A volume is a stale copy only when it has our shape (or our status annotation lists it) *and* no
 * container but a stale proxy mounts it: replacing a volume an app container mounts would hand that
 * container our token. A name we do not add this time is dropped only with evidence beyond the name
 * (the stale proxy mounts it, or the annotation lists it). Anything else under a name we add is a clash.
 */
function verdict(v: V1Volume, ctx: VolumeContext): Verdict {
  const ours = hasOwnShape(v) || ctx.recorded;
  const evidence = ctx.needed || ctx.recorded || ctx.mountedByStaleProxy;
  if (ours && evidence && ctx.users.length === 0) return 'drop';
  return ctx.needed ? 'clash' : 'keep';
}

/**
 * Sorts the pod's objects that use our names (see verdict()). The pod's own volumes with names we do
 * not add are left alone.
 */
export function checkNames(pod: V1Pod, addedVolumes: readonly string[]): NameCheck {
  const containers = containersOf(pod);
  const named = containers.find((c) => c.name === SIDECAR_CONTAINER_NAME);
  const dropProxy = named !== undefined && isProxyCopy(named);
  const clashes: string[] = [];
  const replaced: string[] = dropProxy ? [`container ${SIDECAR_CONTAINER_NAME}`] : [];
  if (named !== undefined && !dropProxy) {
    clashes.push(`the pod has its own container named ${SIDECAR_CONTAINER_NAME}, the name of the injected proxy: rename that container`);
  }
  const others = containers.filter((c) => !(dropProxy && c === named));
  const stale = dropProxy && named !== undefined ? [named] : [];
  const recorded = recordedVolumes(pod);
  const dropVolumes = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    const needed = addedVolumes.includes(v.name);
    if (!needed && !isOwnVolume(v.name)) continue;
    const users = mountsOf(v.name, others);
    const ctx = { needed, users, recorded: recorded.has(v.name), mountedByStaleProxy: mountsOf(v.name, stale).length > 0 };
    const what = verdict(v, ctx);
    if (what === 'drop') {
      dropVolumes.add(v.name);
      replaced.push(`volume ${v.name}`);
    } else if (what === 'clash') {
      const where = users.length > 0 ? ` (mounted by ${users.join(', ')})` : '';
      clashes.push(`the pod has its own volume named ${v.name}${where}, a name the injected proxy needs for its own volume: rename that volume and its mounts`);
    }
  }
  return { dropProxy, dropVolumes, clashes, replaced };
}
