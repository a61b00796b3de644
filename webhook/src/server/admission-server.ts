import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PortcullisError, errorCodeOf, httpStatusOf } from '@portcullis/shared';
import { drainServer } from '@portcullis/shared/http';
import type { Logger } from 'pino';
import type { Admission, PodEvent } from '../admission/handle.js';
import { parseAdmissionReview, type AdmissionRequest } from '../admission/review.js';
import { describeError } from '../errors.js';
import type { WebhookMetrics } from '../metrics.js';
import { admissionLog, type AdmissionLog } from './admission-log.js';
import { readBody } from './read-body.js';

export const MUTATE_PATH = '/mutate';

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface AdmissionServerOptions {
  readonly address: string;
  readonly port: number;
  readonly maxRequestBytes: number;
  readonly requestTimeoutMs: number;
}

export interface AdmissionServerDeps {
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly admit: (req: AdmissionRequest) => Admission;
  readonly onEvents: (events: readonly PodEvent[]) => void;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function decode(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('ADMISSION_REVIEW_INVALID', 'the body is not JSON; the webhook expects an AdmissionReview v1', { cause: err });
  }
}

/** Longer than the 90 s idle timeout of the API server's webhook client, so the client always closes first. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;
/** At stop, admissions in flight get this long (the API server's own webhook timeout is at most 30 s, 10 s by default). */
const ADMISSION_DRAIN_MS = 10_000;

/**
 * HTTPS server for POST /mutate. The serving certificate is swapped in place with setSecureContext:
 * new handshakes get the new certificate, established connections finish with the old one.
 */

export class AdmissionServer {
  private server: Server | undefined;
  private readonly admissionLog: AdmissionLog;

  constructor(
    private readonly opts: AdmissionServerOptions,
    private readonly deps: AdmissionServerDeps,
  ) {
    this.admissionLog = admissionLog(deps.log);
  }

  async start(tls: TlsMaterial): Promise<AddressInfo> {
    const server = createServer({ cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' }, (req, res) => void this.route(req, res));
    server.requestTimeout = this.opts.requestTimeoutMs;
    server.headersTimeout = Math.min(this.opts.requestTimeoutMs, 60_000);
    // The API server's webhook client (Go) closes idle connections after 90 s. Node's default of 5 s
    // closes them first, and a POST that Go sends on a connection Node is closing at that moment fails
    // with "connection reset" (the e2e rotation test caught one) — Go does not retry a POST. Outlive it.
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Serves `tls` to every new connection from now on. */
  reload(tls: TlsMaterial): void {
    this.server?.setSecureContext({ cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' });
  }

  listening(): boolean {
    return this.server?.listening === true;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // The API server keeps its connections to webhooks alive: without draining, one admission in flight
    // at SIGTERM held the webhook up until that connection's keep-alive ended.
    await drainServer(server, { deadlineMs: ADMISSION_DRAIN_MS });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path === MUTATE_PATH && req.method === 'POST') return this.mutate(req, res);
    if (path === '/healthz' && req.method === 'GET') return send(res, 200, { status: 'ok' });
    send(res, 404, { error: { message: `no route ${req.method ?? ''} ${path ?? ''}; the webhook serves POST ${MUTATE_PATH}` } });
  }

  private async mutate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { metrics } = this.deps;
    let request: AdmissionRequest | undefined;
    try {
      request = parseAdmissionReview(decode(await readBody(req, this.opts.maxRequestBytes)));
      const admission = this.deps.admit(request);
      send(res, 200, admission.review);
      if (admission.events.length > 0) this.deps.onEvents(admission.events);
      const dryRun = request.dryRun;
      metrics.admissions.inc({ result: admission.result, reason: admission.reason, dry_run: String(dryRun) });
      metrics.admissionDuration.observe({ result: admission.result }, (performance.now() - started) / 1000);
      const quiet = admission.reason === 'NotRequested' || admission.reason === 'NotPodCreate' || admission.reason === 'ExcludedNamespace';
      this.admissionLog(
        {
          admissionUid: request.uid,
          namespace: request.namespace,
          dryRun,
          result: admission.result,
          reason: admission.reason,
          sources: admission.sources,
          warnings: admission.review.response.warnings?.length ?? 0,
        },
        admission.message,
        quiet,
      );
    } catch (err) {
      const code = errorCodeOf(err);
      const status = httpStatusOf(code);
      const result = code === 'SOURCES_NOT_SYNCED' ? 'unavailable' : 'error';
      const dryRun = request?.dryRun ?? false;
      if (!res.headersSent) send(res, status, { error: { code, message: describeError(err) } });
      metrics.admissions.inc({ result, reason: code, dry_run: String(dryRun) });
      metrics.admissionDuration.observe({ result }, (performance.now() - started) / 1000);
      // Through the root logger and its redaction: an error's text is not ours to vouch for.
      const who = request ? { admissionUid: request.uid, namespace: request.namespace, dryRun } : {};
      if (status >= 500) this.deps.log.error({ ...who, code, err: describeError(err) }, 'admission failed; the API server applies the failurePolicy');
      else this.deps.log.warn({ ...who, code, err: describeError(err) }, 'admission request rejected');
    }
  }
}
