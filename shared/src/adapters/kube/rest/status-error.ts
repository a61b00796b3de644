import { PortcullisError } from '../../../errors/index.js';

/** A non-2xx answer of the Kubernetes API server (code KUBE_API_ERROR), with the Status object's reason when it sent one. */
export class KubeApiError extends PortcullisError {
  override readonly name: string = 'KubeApiError';

  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super('KUBE_API_ERROR', message);
  }
}

interface StatusObject {
  kind?: unknown;
  reason?: unknown;
  message?: unknown;
}

/**
 * Builds the error for a failed call from its HTTP status and body: the API server answers with a
 * `Status` object (reason + message); proxies and load balancers in between may answer with anything,
 * so a body that is not a Status is quoted, cut to 200 characters.
 */
export function kubeApiError(method: string, path: string, status: number, body: string): KubeApiError {
  let parsed: StatusObject | undefined;
  try {
    parsed = JSON.parse(body) as StatusObject;
  } catch {
    parsed = undefined;
  }
  const reason = typeof parsed?.reason === 'string' && parsed.reason !== '' ? parsed.reason : `HTTP${status}`;
  const detail =
    parsed?.kind === 'Status' && typeof parsed.message === 'string' ? parsed.message : JSON.stringify(body.slice(0, 200));
  return new KubeApiError(status, reason, `${method} ${path}: ${status} ${reason}: ${detail}${hint(status)}`);
}

function hint(status: number): string {
  if (status === 401) return ' (the API credentials were not accepted: check the token file or client certificate)';
  if (status === 403) return " (the sidecar's service account lacks RBAC for this call: check the chart's Role)";
  return '';
}
