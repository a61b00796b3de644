// What the control plane pays: the kube-apiserver's own request counters (/metrics, read with the admin
// client certificate) and the CPU time and resident memory of the kube-apiserver and etcd processes
// (/proc). A reading is a snapshot; two readings give the rates over the window between them.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { cpuSecondsOf, memoryOf } from '../lib/procs.ts';
import { parseMetrics, sumOf, type Sample } from './prometheus.ts';

const CR_GROUP = 'portcullis.dev';
const POST = ['POST', 'CREATE'];

export interface Reading {
  /** performance.now() when taken, ms. */
  readonly atMs: number;
  readonly tokenReviews: number;
  readonly lists: number;
  /** Watch requests that have finished (the counter counts a long-running request when it ends). */
  readonly watchesEnded: number;
  /** Watches open now (apiserver_longrunning_requests), of the two custom resources. */
  readonly watchesOpen: number;
  /** Every request the API server counted, of any kind. */
  readonly requests: number;
  /** Requests the API server made to etcd (etcd_request_duration_seconds_count). */
  readonly etcdRequests: number;
  readonly tokenReviewSeconds: number;
  readonly apiserverCpuS: number;
  readonly etcdCpuS: number;
  readonly apiserverRssKiB: number;
  readonly etcdRssKiB: number;
}

export interface WindowRates {
  readonly seconds: number;
  readonly tokenReviewsPerS: number;
  readonly listsPerS: number;
  readonly watchesStartedPerS: number;
  readonly requestsPerS: number;
  readonly etcdRequestsPerS: number;
  /** Mean server-side TokenReview latency over the window, ms. */
  readonly tokenReviewMeanMs: number;
  /** CPU used, in cores (CPU seconds per second). */
  readonly apiserverCores: number;
  readonly etcdCores: number;
}

export function summarizeReadings(samples: readonly Sample[]): Omit<Reading, 'atMs' | 'apiserverCpuS' | 'etcdCpuS' | 'apiserverRssKiB' | 'etcdRssKiB'> {
  const req = 'apiserver_request_total';
  return {
    tokenReviews: sumOf(samples, req, { resource: 'tokenreviews', verb: POST }),
    lists: sumOf(samples, req, { group: CR_GROUP, verb: 'LIST' }),
    watchesEnded: sumOf(samples, req, { group: CR_GROUP, verb: 'WATCH' }),
    watchesOpen: sumOf(samples, 'apiserver_longrunning_requests', { group: CR_GROUP, verb: 'WATCH' }),
    requests: sumOf(samples, req),
    etcdRequests: sumOf(samples, 'etcd_request_duration_seconds_count'),
    tokenReviewSeconds: sumOf(samples, 'apiserver_request_duration_seconds_sum', { resource: 'tokenreviews', verb: POST }),
  };
}

/** Rates between two readings. Watches started = the change in open watches plus those that ended. */
export function ratesBetween(a: Reading, b: Reading): WindowRates {
  const s = (b.atMs - a.atMs) / 1000;
  const per = (x: number): number => x / s;
  const reviews = b.tokenReviews - a.tokenReviews;
  return {
    seconds: s,
    tokenReviewsPerS: per(reviews),
    listsPerS: per(b.lists - a.lists),
    watchesStartedPerS: per(b.watchesEnded - a.watchesEnded + (b.watchesOpen - a.watchesOpen)),
    requestsPerS: per(b.requests - a.requests),
    etcdRequestsPerS: per(b.etcdRequests - a.etcdRequests),
    tokenReviewMeanMs: reviews > 0 ? ((b.tokenReviewSeconds - a.tokenReviewSeconds) / reviews) * 1000 : Number.NaN,
    apiserverCores: per(b.apiserverCpuS - a.apiserverCpuS),
    etcdCores: per(b.etcdCpuS - a.etcdCpuS),
  };
}

export interface ApiServerProbe {
  read(): Promise<Reading>;
}

export function apiServerProbe(kc: KubeConfig, pids: { readonly apiserver: number; readonly etcd: number }): ApiServerProbe {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const metrics = async (): Promise<string> => {
    const opts: { host: string; port: string; path: string; method: string } & Record<string, unknown> = { host: server.hostname, port: server.port, path: '/metrics', method: 'GET' };
    await kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = request(opts, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts).toString('utf8')) : reject(new Error(`GET /metrics: ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.setTimeout(20_000, () => req.destroy(new Error('GET /metrics: no answer in 20 s')));
      req.on('error', reject);
      req.end();
    });
  };
  return {
    async read() {
      const text = await metrics();
      const atMs = performance.now();
      return {
        atMs,
        ...summarizeReadings(parseMetrics(text)),
        apiserverCpuS: cpuSecondsOf(pids.apiserver),
        etcdCpuS: cpuSecondsOf(pids.etcd),
        apiserverRssKiB: memoryOf(pids.apiserver).rssKiB,
        etcdRssKiB: memoryOf(pids.etcd).rssKiB,
      };
    },
  };
}
