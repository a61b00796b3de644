import { ApiException } from '@kubernetes/client-node';
import type { ErrorCode } from '@portcullis/shared';

/** The HTTP status of a failed client-node call, or undefined for a network or other error. */
export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
export const isAlreadyExists = isConflict;

/** A one-line description of a failed API call for logs (the API's message, never the body's objects). */
export function apiProblem(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: unknown } | string | undefined;
    const message = typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : '';
    return `HTTP ${err.code}${message ? `: ${message.slice(0, 300)}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Log fields for a failed API call: the KUBE_API_FAILED code and the API's one-line problem. */
export function apiFailure(err: unknown): { code: ErrorCode; err: string; status: number | undefined } {
  return { code: 'KUBE_API_FAILED', err: apiProblem(err), status: statusCodeOf(err) };
}
