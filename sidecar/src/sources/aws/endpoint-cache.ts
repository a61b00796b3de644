import { resolveEndpoint, SERVICE_ENDPOINTS, type ResolvedEndpoint } from '@portcullis/shared';

/** Signing names whose host depends on the request path when the app gave no host hint (bedrock, sagemaker). */
const PATH_ROUTED: ReadonlySet<string> = new Set(
  SERVICE_ENDPOINTS.filter((row) => row.alternates?.some((a) => a.paths !== undefined) === true).map((row) => row.signingName),
);

export const DEFAULT_MAX_ENDPOINTS = 256;

export interface EndpointSettings {
  readonly override: URL | undefined;
  readonly useFips: boolean;
  readonly useDualstack: boolean;
}

/**
 * The resolved endpoints of one source, by the inputs resolveEndpoint reads: signing name, region, host
 * hint and, for path-routed services only, the path. Resolving parses one or two URLs (~1.4 µs), on every
 * request otherwise. Only successes are kept: a refused scope is refused again each time. The objects are
 * shared by the requests and must not be modified (upstreamTarget copies the URL before changing it).
 * Bounded: past `maxEntries` the oldest is dropped.
 */
export class EndpointCache {
  private readonly entries = new Map<string, ResolvedEndpoint>();

  constructor(
    private readonly settings: EndpointSettings,
    private readonly maxEntries = DEFAULT_MAX_ENDPOINTS,
  ) {}

  resolve(service: string, region: string, path: string, hostPrefixHint: string | undefined): ResolvedEndpoint {
    const pathMatters = hostPrefixHint === undefined && this.settings.override === undefined && PATH_ROUTED.has(service);
    // No part can contain a newline (scope labels, a Host header label, a request path), so the key is unambiguous.
    const key = `${service}\n${region}\n${hostPrefixHint === undefined ? '-' : `+${hostPrefixHint}`}\n${pathMatters ? path : ''}`;
    let endpoint = this.entries.get(key);
    if (endpoint === undefined) {
      const { override, useFips, useDualstack } = this.settings;
      endpoint = resolveEndpoint({
        service,
        region,
        useFips,
        useDualstack,
        path,
        ...(override === undefined ? {} : { override }),
        ...(hostPrefixHint === undefined ? {} : { hostPrefixHint }),
      });
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      this.entries.set(key, endpoint);
    }
    return endpoint;
  }

  get size(): number {
    return this.entries.size;
  }
}
