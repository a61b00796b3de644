// The injector's configuration: parsed once by config/parse.ts, then passed to the pure injector.
import type { NoProxyTargets, SidecarLogLevel } from '@portcullis/shared';

export type ResourceName = 'cpu' | 'memory';
export type Quantities = Readonly<Partial<Record<ResourceName, string>>>;

export interface SidecarResources {
  readonly requests: Quantities;
  readonly limits: Quantities;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** What an unknown name in portcullis.dev/sources does: admit with a warning and an Event, or deny the pod. */
export type UnknownSourcePolicy = 'admit' | 'deny';

export interface InjectorConfig {
  readonly image: string;
  readonly imagePullPolicy: PullPolicy;
  readonly resources: SidecarResources;
  /** UID and GID the sidecar runs as (non-root). */
  readonly runAsUser: number;
  /** Native sidecar (first init container, restartPolicy Always); false: first regular container. */
  readonly nativeSidecar: boolean;
  /** Whether the portcullis.dev/proxy-image annotation may replace the image. */
  readonly allowImageOverride: boolean;
  /** Namespaces whose pods are never touched (kube-system, ..., the webhook's own). */
  readonly excludedNamespaces: ReadonlySet<string>;
  readonly unknownSource: UnknownSourcePolicy;
  /** The sidecar's --log-level unless a pod overrides it; undefined: the sidecar's default. */
  readonly logLevel: SidecarLogLevel | undefined;
  /** The sidecar's --young-generation-mib (V8 young-generation cap); undefined: V8's default. */
  readonly youngGenerationMiB: number | undefined;
  /**
   * The sidecar's --identity-review-interval-seconds (mean time between periodic TokenReviews); passed
   * only when it differs from the sidecar's default (900 s, ADR 7).
   */
  readonly identityReviewIntervalSeconds: number;
  /** Lifetime requested for the projected tokens; the kubelet refreshes them at 80 %. */
  readonly tokenExpirationSeconds: number;
  /**
   * Regular-container fallback only: the postStart command, for the pod's admin port, that holds the app
   * containers until the proxy answers /readyz (the kubelet starts the next container only after
   * postStart returns).
   */
  readonly holdCommand: (adminPort: number) => readonly string[];
  /** Pull secrets (names) added to every injected pod for the proxy image; they must exist in its namespace. */
  readonly imagePullSecrets: readonly string[];
  /**
   * Redis for ServiceAccount/Namespace-scope limits; undefined: none. The password (and CA) come from a
   * Secret of that name in each injected pod's namespace, mounted into the sidecar container only.
   */
  readonly redis?: InjectorRedis | undefined;
  /** Proxy-mode pods: the cluster domain and Service CIDRs their NO_PROXY names (--cluster-domain, --service-cidrs). */
  readonly proxyMode: NoProxyTargets;
}

export interface InjectorRedis {
  readonly address: string;
  readonly tls: boolean;
  /** Secret in the pod's namespace; undefined: Redis without AUTH. */
  readonly secretName: string | undefined;
  readonly passwordKey: string | undefined;
  /** Key of a PEM CA bundle in the same Secret (a Redis with a private CA); undefined: system roots. */
  readonly caKey: string | undefined;
}

/** Where the sidecar image keeps its executable (sidecar/Dockerfile). */
export const SIDECAR_EXECUTABLE = '/usr/local/bin/portcullis-sidecar';

/**
 * Default hold command: the sidecar executable's own `wait-ready`, which polls /readyz for up to two
 * minutes (the image has no shell and no Node). The sidecar serves /readyz at READYZ_PATH.
 */
export function defaultHoldCommand(adminPort: number): string[] {
  return [SIDECAR_EXECUTABLE, 'wait-ready', '--port', String(adminPort), '--timeout-seconds', '120'];
}
