import type { RotationPolicy } from '../certs/plan.js';
import type { InjectorConfig } from '../inject/config.js';

export type SidecarMode = 'auto' | 'native' | 'container';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface SecretTlsOptions {
  readonly mode: 'secret';
  readonly secretName: string;
  /** The MutatingWebhookConfiguration whose caBundle the leader keeps current. */
  readonly webhookConfigName: string;
  readonly policy: RotationPolicy;
  readonly checkIntervalMs: number;
}

export interface FileTlsOptions {
  readonly mode: 'files';
  readonly certFile: string;
  readonly keyFile: string;
  readonly checkIntervalMs: number;
}

export interface Endpoint {
  readonly address: string;
  /** 0: any free port (tests read the bound port back). */
  readonly port: number;
}

/** Everything the webhook is configured with, parsed once by parse.ts and frozen. */
export interface WebhookOptions {
  /** The webhook's own namespace: its Secret and Lease live there, and its pods are never injected. */
  readonly namespace: string;
  /** This replica's name in the Lease and in Events. */
  readonly identity: string;
  /** undefined: in-cluster service account. */
  readonly kubeconfig: string | undefined;
  readonly listen: Endpoint;
  readonly admin: Endpoint;
  readonly maxRequestBytes: number;
  readonly requestTimeoutMs: number;
  readonly sidecarMode: SidecarMode;
  /** The injector's configuration without nativeSidecar, which comes from sidecarMode and /version. */
  readonly injector: Omit<InjectorConfig, 'nativeSidecar'>;
  /** Empty: watch CredentialSources and EgressPolicies in every namespace. */
  readonly watchNamespaces: readonly string[];
  readonly tls: SecretTlsOptions | FileTlsOptions;
  readonly lease: { readonly name: string; readonly durationSeconds: number; readonly retryIntervalMs: number };
  readonly status: { readonly enabled: boolean; readonly checkSecrets: boolean; readonly resyncMs: number; readonly debounceMs: number };
  /** The kill switch's per-pod Role controller (ADR 16); off when operators manage the Roles themselves. */
  readonly podRoles: {
    readonly enabled: boolean;
    readonly resyncMs: number;
    readonly debounceMs: number;
    readonly attempts: number;
    readonly initialBackoffMs: number;
  };
  readonly logLevel: LogLevel;
}
