// Types for the prom-client modules prom-client-lean.ts imports one by one (the package types only its index).
declare module 'prom-client/lib/registry.js' {
  import type { Registry } from 'prom-client';
  const registry: typeof Registry;
  export default registry;
}
declare module 'prom-client/lib/counter.js' {
  import type { Counter } from 'prom-client';
  const counter: typeof Counter;
  export default counter;
}
declare module 'prom-client/lib/gauge.js' {
  import type { Gauge } from 'prom-client';
  const gauge: typeof Gauge;
  export default gauge;
}
declare module 'prom-client/lib/histogram.js' {
  import type { Histogram } from 'prom-client';
  const histogram: typeof Histogram;
  export default histogram;
}
declare module 'prom-client/lib/metrics/*' {
  import type { Registry } from 'prom-client';
  const metric: (registry: Registry, config: { readonly prefix: string; readonly eventLoopMonitoringPrecision: number }) => void;
  export default metric;
}
