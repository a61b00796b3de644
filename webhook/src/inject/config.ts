// The injector's configuration: parsed once by config/parse.ts, then passed to the pure injector.
import type { SidecarLogLevel } from '@portcullis/shared';

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
}

/** Default hold command: the sidecar image runs Node, which polls /readyz for up to two minutes. */
export function defaultHoldCommand(adminPort: number, readyzPath = '/readyz'): string[] {
  const script =
    `const end=Date.now()+120000;` +
    `const poll=()=>fetch('http://127.0.0.1:${adminPort}${readyzPath}').then(r=>{if(r.ok)process.exit(0);throw 0}).catch(()=>Date.now()>end?process.exit(1):setTimeout(poll,250));` +
    `poll();`;
  return ['node', '-e', script];
}
