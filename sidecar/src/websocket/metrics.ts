import { Counter, Gauge, type Registry } from '../prom-client-lean.js';

/** Metrics of WebSocket tunnels. Labels: the namespace's sources and a fixed enum. */
export interface TunnelMetrics {
  readonly open: Gauge<'source'>;
  readonly closed: Counter<'source' | 'closed_by'>;
}

export function createTunnelMetrics(registry: Registry): TunnelMetrics {
  const registers = [registry];
  return {
    open: new Gauge({
      name: 'portcullis_sidecar_websocket_tunnels',
      help: 'WebSocket tunnels open now, by source',
      labelNames: ['source'],
      registers,
    }),
    closed: new Counter({
      name: 'portcullis_sidecar_websocket_tunnels_closed_total',
      help: 'WebSocket tunnels closed, by source and who ended them (app, upstream, idle, revoked, shutdown)',
      labelNames: ['source', 'closed_by'],
      registers,
    }),
  };
}
