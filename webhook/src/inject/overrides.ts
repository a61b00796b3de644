import { SIDECAR_LOG_LEVELS, type SidecarLogLevel } from '@portcullis/shared';
import { ANNOTATIONS } from './annotations.js';
import type { InjectorConfig, ResourceName, SidecarResources } from './config.js';
import { isQuantity, quantityValue } from './quantity.js';

/** The sidecar settings for one pod: the configuration with the pod's override annotations applied. */
export interface SidecarSettings {
  readonly image: string;
  readonly resources: SidecarResources;
  readonly logLevel: SidecarLogLevel | undefined;
  readonly warnings: readonly string[];
}

const RESOURCE_ANNOTATIONS: readonly [string, 'requests' | 'limits', ResourceName][] = [
  [ANNOTATIONS.cpuRequest, 'requests', 'cpu'],
  [ANNOTATIONS.memoryRequest, 'requests', 'memory'],
  [ANNOTATIONS.cpuLimit, 'limits', 'cpu'],
  [ANNOTATIONS.memoryLimit, 'limits', 'memory'],
];

function overrideImage(annotations: Readonly<Record<string, string>>, config: InjectorConfig, warnings: string[]): string {
  const image = annotations[ANNOTATIONS.image];
  if (image === undefined) return config.image;
  if (!config.allowImageOverride) {
    warnings.push(`${ANNOTATIONS.image} is ignored: this cluster's webhook does not allow image overrides`);
    return config.image;
  }
  if (image.trim() === '' || /\s/.test(image)) {
    warnings.push(`${ANNOTATIONS.image} ${JSON.stringify(image)} is not an image reference; using ${config.image}`);
    return config.image;
  }
  return image;
}

function overrideResources(annotations: Readonly<Record<string, string>>, config: InjectorConfig, warnings: string[]): SidecarResources {
  const requests: Partial<Record<ResourceName, string>> = { ...config.resources.requests };
  const limits: Partial<Record<ResourceName, string>> = { ...config.resources.limits };
  for (const [key, kind, resource] of RESOURCE_ANNOTATIONS) {
    const value = annotations[key];
    if (value === undefined) continue;
    if (!isQuantity(value)) {
      warnings.push(`${key} ${JSON.stringify(value)} is not a quantity such as 100m or 128Mi; keeping the default`);
      continue;
    }
    (kind === 'requests' ? requests : limits)[resource] = value;
  }
  for (const resource of ['cpu', 'memory'] as const) {
    const request = requests[resource];
    const limit = limits[resource];
    if (request !== undefined && limit !== undefined && (quantityValue(request) ?? 0) > (quantityValue(limit) ?? 0)) {
      warnings.push(`the proxy's ${resource} request ${request} exceeds its limit ${limit}; the limit is raised to ${request}`);
      limits[resource] = request;
    }
  }
  return { requests, limits };
}

function overrideLogLevel(annotations: Readonly<Record<string, string>>, config: InjectorConfig, warnings: string[]): SidecarLogLevel | undefined {
  const level = annotations[ANNOTATIONS.logLevel];
  if (level === undefined) return config.logLevel;
  if ((SIDECAR_LOG_LEVELS as readonly string[]).includes(level)) return level as SidecarLogLevel;
  warnings.push(`${ANNOTATIONS.logLevel} ${JSON.stringify(level)} is not one of ${SIDECAR_LOG_LEVELS.join(', ')}; ignored`);
  return config.logLevel;
}

/** Applies portcullis.dev/proxy-* annotations; a bad value is ignored with a warning, never fatal. */
export function sidecarSettings(annotations: Readonly<Record<string, string>>, config: InjectorConfig): SidecarSettings {
  const warnings: string[] = [];
  return {
    image: overrideImage(annotations, config, warnings),
    resources: overrideResources(annotations, config, warnings),
    logLevel: overrideLogLevel(annotations, config, warnings),
    warnings,
  };
}
