import { request as httpsRequest, type RequestOptions } from 'node:https';
import { CliError } from '../errors.js';
import type { KubeConfig } from '@kubernetes/client-node';

export interface LogAnswer {
  readonly status: number;
  readonly body: string;
}

/** Upper bound on one container log read into memory (the API server's own limitBytes applies as well). */
const MAX_LOG_BYTES = 512 * 1024 * 1024;

/**
 * GET pods/<name>/log through the API server with the kubeconfig's credentials, as `kubectl logs` does.
 * Raw, because the API server answers a container that has not started with 204 and no Content-Type,
 * which client-node's generated client cannot parse; the CLI must tell that apart from an empty log.
 */
export async function readLog(kc: KubeConfig, namespace: string, pod: string, query: URLSearchParams): Promise<LogAnswer> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new CliError('POD_LOGS_UNAVAILABLE', 'the kubeconfig names no cluster: set KUBECONFIG or --context');
  const url = new URL(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${query.toString()}`, server);
  const options: RequestOptions = { method: 'GET', headers: { accept: 'text/plain, application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_LOG_BYTES) req.destroy(new CliError('POD_LOGS_UNAVAILABLE', `the log is larger than ${MAX_LOG_BYTES} bytes; narrow it with --since-seconds`));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The message of a Kubernetes Status body, or the body itself. */
export function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not a Status object
  }
  return body.slice(0, 300);
}
