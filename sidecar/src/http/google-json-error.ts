import { httpStatusOf, type PortcullisError } from '@portcullis/shared';
import type { Answer } from '../sources/runtime.js';
import { REQUEST_ID_HEADER } from './json-error.js';

/** google.rpc.Code names by HTTP status, as Google's APIs pair them (https://cloud.google.com/apis/design/errors). */
const RPC_STATUS_BY_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's ErrorInfo domain for the sidecar's own refusals. */
const DOMAIN = 'portcullis.dev';

/**
 * Google's JSON error body, which its client libraries turn into their ApiError/GaxiosError (code,
 * message, errors[].reason): `{"error": {"code", "message", "status", "errors": [{message, domain,
 * reason}], "details": [google.rpc.ErrorInfo]}}`. The sidecar's code is the reason in both places.
 */
export function writeGoogleJsonError(res: Answer, err: PortcullisError, requestId: string): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const code = httpStatusOf(err.code);
  const status = RPC_STATUS_BY_HTTP[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
  const body = JSON.stringify({
    error: {
      code,
      message: err.message,
      status,
      errors: [{ message: err.message, domain: DOMAIN, reason: err.code }],
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: err.code, domain: DOMAIN, metadata: { requestId } }],
    },
  });
  res.writeHead(code, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    [REQUEST_ID_HEADER]: requestId,
  });
  res.end(body);
}
