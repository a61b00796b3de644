import { Counter, Gauge, type Registry } from '../prom-client-lean.js';

/** Kinds a rejection is counted under: the two resources, and whole files that could not be read. */
export type RejectedKind = 'CredentialSource' | 'EgressPolicy' | 'file';

export interface StoreMetrics {
  /** Objects (or files) rejected right now, by kind. */
  readonly rejected: Gauge<'kind'>;
  /** Each time an object (or file) becomes rejected, or its reason changes. */
  readonly rejections: Counter<'kind'>;
}

export function createStoreMetrics(registry: Registry): StoreMetrics {
  const registers = [registry];
  return {
    rejected: new Gauge({
      name: 'portcullis_sidecar_resources_rejected',
      help: 'CredentialSources, EgressPolicies and configuration files currently rejected as invalid, by kind (CredentialSource, EgressPolicy, file)',
      labelNames: ['kind'],
      registers,
    }),
    rejections: new Counter({
      name: 'portcullis_sidecar_resource_rejections_total',
      help: 'Times an object or configuration file was rejected as invalid (or rejected for a new reason), by kind',
      labelNames: ['kind'],
      registers,
    }),
  };
}
