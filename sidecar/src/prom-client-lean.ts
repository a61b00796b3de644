// prom-client without its index. The index also loads the Pushgateway, the cluster aggregator, Summary
// (tdigest) and — through the default process_cpu_* metrics, for exemplars the sidecar never records —
// @opentelemetry/api: 2.1 MiB of the sidecar's idle RSS (bench/ANALYSIS.md, finding 10). Here the
// classes and each default metric come from their own modules; only process_cpu_* is written out: the
// same three counters, without exemplars. prom-client-lean.test.ts checks the result against the library's
// own collectDefaultMetrics, so an upgrade that moves or adds a module fails there.
// Static imports of the CommonJS modules (their module.exports is the default export) so that a bundler —
// `bun build --compile` makes the sidecar's executable — finds and includes exactly these files.
import type * as Prom from 'prom-client';
import counterClass from 'prom-client/lib/counter.js';
import gaugeClass from 'prom-client/lib/gauge.js';
import histogramClass from 'prom-client/lib/histogram.js';
import eventLoopLag from 'prom-client/lib/metrics/eventLoopLag.js';
import gc from 'prom-client/lib/metrics/gc.js';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processHandles from 'prom-client/lib/metrics/processHandles.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processRequests from 'prom-client/lib/metrics/processRequests.js';
import processResources from 'prom-client/lib/metrics/processResources.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import version from 'prom-client/lib/metrics/version.js';
import registryClass from 'prom-client/lib/registry.js';

export const Registry = registryClass;
export type Registry = Prom.Registry;
export const Counter = counterClass;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge = gaugeClass;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram = histogramClass;
export type Histogram<T extends string = string> = Prom.Histogram<T>;

type DefaultMetric = (registry: Prom.Registry, config: { readonly prefix: string; readonly eventLoopMonitoringPrecision: number }) => void;

/** prom-client's default metrics (lib/defaultMetrics.js) other than processCpuTotal, in its order. */
const DEFAULT_METRICS: readonly DefaultMetric[] = [
  processStartTime,
  osMemoryHeap,
  processOpenFileDescriptors,
  processMaxFileDescriptors,
  eventLoopLag,
  processResources,
  processHandles,
  processRequests,
  heapSizeAndUsed,
  heapSpacesSizeAndUsed,
  version,
  gc,
];

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
  for (const metric of DEFAULT_METRICS) metric(registry, config);
}
