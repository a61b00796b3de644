import type { V1Pod } from '@kubernetes/client-node';
import { PROXY_MODE_PORT, SIDECAR_CONTAINER_NAME, type CredentialSource } from '@portcullis/shared';
import { ANNOTATIONS } from './annotations.js';
import { checkNames } from './clash.js';
import type { InjectorConfig } from './config.js';
import { envForSources } from './env.js';
import { jsonDiff, type JsonPatchOperation } from './json-diff.js';
import { inject, isInjected, markSkipped, reconcileInjected, type InjectionStatus } from './mutate.js';
import { sidecarSettings } from './overrides.js';
import { chooseAdminPort, chooseProxyPort, declaredPorts, sourcePortWarnings } from './ports.js';
import { selectSources } from './select-sources.js';
import { sidecarContainer } from './sidecar-container.js';
import { appAdditions, proxyModeFor, proxyModeInjection, proxyPortOf, proxyStatus, withProxyVolume } from './proxy-mode.js';
import { skipOf, type SkipReason } from './skip.js';
import { sidecarVolumes } from './volumes.js';

export interface InjectionRequest {
  /** The pod as the API server sent it. */
  readonly pod: V1Pod;
  /** The request's namespace (a new pod's metadata.namespace may still be empty). */
  readonly namespace: string;
  /** The namespace's CredentialSources from the informer cache; undefined while it has not synced. */
  readonly sourcesIn: (namespace: string) => readonly CredentialSource[] | undefined;
  readonly config: InjectorConfig;
}

export type InjectionResult = 'injected' | 'unchanged' | 'skipped' | 'denied' | 'unavailable';
/** Bounded (a metric label): why the result is what it is. */
export type InjectionReason = SkipReason | 'Injected' | 'Reinvoked' | 'AlreadyInjected' | 'SourceNotFound' | 'SourcesNotSynced' | 'NameClash';

export interface InjectionPlan {
  readonly result: InjectionResult;
  readonly reason: InjectionReason;
  readonly message: string;
  /** RFC 6902 operations against the pod the API server sent; empty: nothing to change. */
  readonly patch: readonly JsonPatchOperation[];
  /** Shown to the user by kubectl (AdmissionResponse warnings). */
  readonly warnings: readonly string[];
  readonly sources: readonly string[];
  readonly unknownSources: readonly string[];
}

const plan = (p: Partial<InjectionPlan> & Pick<InjectionPlan, 'result' | 'reason' | 'message'>): InjectionPlan => ({
  patch: [],
  warnings: [],
  sources: [],
  unknownSources: [],
  ...p,
});

const names = (list: readonly CredentialSource[]): string[] => list.map((cs) => cs.metadata.name ?? '');

function recordedSources(pod: V1Pod): string[] | undefined {
  try {
    const status = JSON.parse(pod.metadata?.annotations?.[ANNOTATIONS.status] ?? '') as Partial<InjectionStatus>;
    return Array.isArray(status.sources) ? status.sources.filter((s): s is string => typeof s === 'string') : undefined;
  } catch {
    return undefined;
  }
}

const proxyModeMessage = (status: InjectionStatus): string => (status.proxyMode === true ? ' in HTTPS_PROXY mode' : '');

/** The HTTPS_PROXY port an injected pod was given; undefined when it is not in proxy mode. */
function recordedProxyPort(pod: V1Pod): number | undefined {
  try {
    const status = JSON.parse(pod.metadata?.annotations?.[ANNOTATIONS.status] ?? '') as Partial<InjectionStatus>;
    if (status.proxyMode !== true) return undefined;
    return typeof status.proxyPort === 'number' && Number.isInteger(status.proxyPort) ? status.proxyPort : PROXY_MODE_PORT;
  } catch {
    return undefined;
  }
}

function reinvoked(req: InjectionRequest, available: readonly CredentialSource[]): InjectionPlan {
  const recorded = recordedSources(req.pod);
  const sources = recorded ? available.filter((cs) => recorded.includes(cs.metadata.name ?? '')) : [];
  const proxyPort = recordedProxyPort(req.pod);
  const app = appAdditions(envForSources(sources).vars, proxyPort === undefined ? undefined : proxyModeInjection(proxyPort, req.config.proxyMode));
  const patch = jsonDiff(req.pod, reconcileInjected(req.pod, app.env, app.mounts));
  const result = patch.length > 0 ? 'injected' : 'unchanged';
  const message = patch.length > 0 ? 'already injected; env vars added to containers added since' : 'already injected';
  return plan({ result, reason: patch.length > 0 ? 'Reinvoked' : 'AlreadyInjected', message, patch, sources: names(sources) });
}

function unknownWarning(unknown: readonly string[], namespace: string): string {
  return `[SOURCE_NOT_FOUND] no CredentialSource ${unknown.join(', ')} in namespace ${namespace} (named in ${ANNOTATIONS.sources}): create it or fix the annotation, then recreate the pod`;
}

/**
 * The pure core of the webhook: a pod and the namespace's sources in, a JSON patch and warnings out.
 * Applying the patch and planning again yields an empty patch (golden tests check this).
 */
export function planInjection(req: InjectionRequest): InjectionPlan {
  const { pod, namespace, config } = req;
  const skip = skipOf(pod, namespace, config.excludedNamespaces);
  if (skip) {
    const recorded = skip.asked ? jsonDiff(pod, markSkipped(pod, skip.reason)) : [];
    return plan({ result: 'skipped', reason: skip.reason, message: skip.message, patch: recorded, warnings: skip.asked ? [skip.message] : [] });
  }
  const available = req.sourcesIn(namespace);
  if (available === undefined) {
    return plan({ result: 'unavailable', reason: 'SourcesNotSynced', message: 'the CredentialSource cache has not synced yet' });
  }
  if (isInjected(pod)) return reinvoked(req, available);

  const annotations = pod.metadata?.annotations ?? {};
  const selection = selectSources(annotations, available);
  if (selection.unknown.length > 0 && config.unknownSource === 'deny') {
    const message = unknownWarning(selection.unknown, namespace);
    return plan({ result: 'denied', reason: 'SourceNotFound', message, unknownSources: selection.unknown });
  }
  const settings = sidecarSettings(annotations, config);
  const env = envForSources(selection.selected);
  const declared = declaredPorts(pod);
  const admin = chooseAdminPort(declared, selection.selected);
  const proxyMode = proxyModeFor(annotations, selection.selected, () => chooseProxyPort(declared, selection.selected, admin.adminPort), config.proxyMode);
  const proxy = proxyMode.injection;
  const vols = withProxyVolume(sidecarVolumes(selection.selected, config.tokenExpirationSeconds, config.redis), proxy);
  const check = checkNames(pod, vols.volumes.map((v) => v.name));
  if (check.clashes.length > 0) {
    const clashes = check.clashes.map((c) => `[NAME_CLASH] ${c}`);
    return plan({ result: 'denied', reason: 'NameClash', message: clashes.join('; '), warnings: clashes });
  }
  const sources = names(selection.selected);
  const status: InjectionStatus = {
    version: 1,
    mode: config.nativeSidecar ? 'native' : 'container',
    container: SIDECAR_CONTAINER_NAME,
    sources,
    ...(selection.unknown.length > 0 ? { unknownSources: selection.unknown } : {}),
    volumes: vols.volumes.map((v) => v.name),
    ...proxyStatus(proxy),
  };
  const sidecar = sidecarContainer({ settings, mounts: vols.mounts, sources: selection.requested, adminPort: admin.adminPort, proxyPort: proxyPortOf(proxy) }, config);
  const drop = { proxy: check.dropProxy, volumes: check.dropVolumes };
  const app = appAdditions(env.vars, proxy);
  const patch = jsonDiff(pod, inject(pod, { sidecar, volumes: vols.volumes, env: app.env, appMounts: app.mounts, status, drop, imagePullSecrets: config.imagePullSecrets }));
  const warnings = [
    ...(selection.unknown.length > 0 ? [unknownWarning(selection.unknown, namespace)] : []),
    ...(check.replaced.length > 0 ? [`replaced a stale copy of the proxy's objects (a spec copied from an injected pod): ${check.replaced.join(', ')}`] : []),
    ...admin.warnings,
    ...proxyMode.warnings,
    ...sourcePortWarnings(declared, selection.selected),
    ...selection.warnings,
    ...settings.warnings,
    ...env.warnings,
    ...vols.warnings,
  ];
  const message = `injected ${status.mode} sidecar with sources [${sources.join(', ')}]${proxyModeMessage(status)}`;
  return plan({ result: 'injected', reason: 'Injected', message, patch, warnings, sources, unknownSources: selection.unknown });
}
