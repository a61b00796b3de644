// Test fixtures of the injector: a fixed configuration and the golden cases in this folder.
import { readFileSync, readdirSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS, type CredentialSource } from '@portcullis/shared';
import { parse } from 'yaml';
import { defaultHoldCommand, type InjectorConfig } from '../config.js';

export const TESTDATA_DIR = new URL('./', import.meta.url);

export const TEST_CONFIG: InjectorConfig = Object.freeze({
  image: 'registry.example/portcullis-sidecar:1.0.0',
  imagePullPolicy: 'IfNotPresent',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  runAsUser: 65532,
  nativeSidecar: true,
  allowImageOverride: true,
  excludedNamespaces: new Set(['kube-system', 'kube-public', 'kube-node-lease', 'portcullis-system']),
  unknownSource: 'admit',
  logLevel: undefined,
  youngGenerationMiB: undefined,
  identityReviewIntervalSeconds: SIDECAR_IDENTITY_REVIEW_INTERVAL_SECONDS,
  tokenExpirationSeconds: 3600,
  holdCommand: (adminPort: number) => defaultHoldCommand(adminPort),
  imagePullSecrets: [],
  proxyMode: { clusterDomain: 'cluster.local', serviceCidrs: [] },
});

export interface GoldenCase {
  readonly name: string;
  readonly namespace: string;
  readonly config: InjectorConfig;
  readonly sources: readonly CredentialSource[];
  readonly pod: V1Pod;
}

export function allSources(): CredentialSource[] {
  return parse(readFileSync(new URL('_sources.yaml', TESTDATA_DIR), 'utf8')) as CredentialSource[];
}

export function goldenCases(): GoldenCase[] {
  const sources = allSources();
  return readdirSync(TESTDATA_DIR)
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('_') && !f.endsWith('.golden.yaml'))
    .sort()
    .map((file) => {
      const raw = parse(readFileSync(new URL(file, TESTDATA_DIR), 'utf8')) as {
        namespace?: string;
        config?: Partial<InjectorConfig>;
        sources: string[];
        pod: V1Pod;
      };
      return {
        name: file.replace(/\.yaml$/, ''),
        namespace: raw.namespace ?? 'team-a',
        config: { ...TEST_CONFIG, ...raw.config },
        sources: raw.sources.map((n) => {
          const cs = sources.find((s) => s.metadata.name === n);
          if (!cs) throw new Error(`${file}: no source ${n} in _sources.yaml`);
          return cs;
        }),
        pod: raw.pod,
      };
    });
}
