import { Counter, type Registry } from '../prom-client-lean.js';

export interface EgressMetrics {
  /** Tunnels and absolute-form requests by kind (tunnel, http, mitm) and decision (allow, deny, audit_deny, blocked, error). */
  readonly tunnels: Counter<'kind' | 'decision'>;
  /** Bytes carried by tunnels: in (app → host), out (host → app). */
  readonly bytes: Counter<'direction'>;
}

export function createEgressMetrics(registry: Registry): EgressMetrics {
  const registers = [registry];
  return {
    tunnels: new Counter({ name: 'portcullis_sidecar_egress_total', help: 'CONNECT tunnels and absolute-form requests on the HTTPS_PROXY port to hosts without a source, by kind and decision', labelNames: ['kind', 'decision'], registers }),
    bytes: new Counter({ name: 'portcullis_sidecar_egress_bytes_total', help: 'Bytes carried on the HTTPS_PROXY port to hosts without a source, by direction (in: app to host, out: host to app)', labelNames: ['direction'], registers }),
  };
}
