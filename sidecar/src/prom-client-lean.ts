// prom-client without its index. The index also loads the Pushgateway, the cluster aggregator, Summary
// (tdigest) and — through the default process_cpu_* metrics, for exemplars the sidecar never records —
// @opentelemetry/api: 2.1 MiB of the sidecar's idle RSS (bench/ANALYSIS.md, finding 10). Here the
// classes and each default metric come from their own modules; only process_cpu_* is written out: the
// same three counters, without exemplars. prom-client-lean.test.ts checks the result against the library's
// own collectDefaultMetrics, so an upgrade that moves or adds a module fails there.
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const load = createRequire(import.meta.url);
const LIB = 'prom-client/lib/';

export const Registry = load(`${LIB}registry.js`) as typeof Prom.Registry;
export type Registry = Prom.Registry;
export const Counter = load(`${LIB}counter.js`) as typeof Prom.Counter;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge = load(`${LIB}gauge.js`) as typeof Prom.Gauge;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram = load(`${LIB}histogram.js`) as typeof Prom.Histogram;
export type Histogram<T extends string = string> = Prom.Histogram<T>;

/** prom-client's default metrics (lib/defaultMetrics.js) other than processCpuTotal, in its order. */
const DEFAULT_METRIC_MODULES = [
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
] as const;

type DefaultMetric = (registry: Prom.Registry, config: { readonly prefix: string; readonly eventLoopMonitoringPrecision: number }) => void;

/** process_cpu_user/system/seconds_total, advanced from process.cpuUsage() at each scrape. */
function processCpuMetrics(registry: Prom.Registry, prefix: string): void {
  let last = process.cpuUsage();
  const registers = [registry];
  // User first: its collect sets all three, and the registry collects and prints in registration order.
  new Counter({
    name: `${prefix}process_cpu_user_seconds_total`,
    help: 'Total user CPU time spent in seconds.',
    registers,
    collect() {
      const now = process.cpuUsage();
      const user = (now.user - last.user) / 1e6;
      const sys = (now.system - last.system) / 1e6;
      last = now;
      this.inc(user);
      system.inc(sys);
      total.inc(user + sys);
    },
  });
  const system = new Counter({ name: `${prefix}process_cpu_system_seconds_total`, help: 'Total system CPU time spent in seconds.', registers });
  const total = new Counter({ name: `${prefix}process_cpu_seconds_total`, help: 'Total user and system CPU time spent in seconds.', registers });
}

/** The same metrics as prom-client's collectDefaultMetrics({ register: registry, prefix }). */
export function collectDefaultMetrics(registry: Prom.Registry, prefix: string): void {
  processCpuMetrics(registry, prefix);
  const config = { prefix, eventLoopMonitoringPrecision: 10 };
  for (const name of DEFAULT_METRIC_MODULES) (load(`${LIB}metrics/${name}.js`) as DefaultMetric)(registry, config);
}
