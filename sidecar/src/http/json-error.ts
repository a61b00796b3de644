import { httpStatusOf, type PortcullisError } from '@portcullis/shared';
import type { Answer } from '../sources/runtime.js';

export const REQUEST_ID_HEADER = 'x-portcullis-request-id';

/** Anthropic's error types by status (its SDK names the error class after them; OpenAI's reads `message`). */
const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  403: 'permission_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
};

/**
 * The JSON error HTTP APIs get, one body both LLM SDKs read: OpenAI's `{"error": {"message", "type",
 * "code"}}` and Anthropic's `{"type": "error", "error": {"type", "message"}}`, plus the request id.
 */
export function writeJsonError(res: Answer, err: PortcullisError, requestId: string): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const status = httpStatusOf(err.code);
  const type = ERROR_TYPE_BY_STATUS[status] ?? 'api_error';
  const body = JSON.stringify({ type: 'error', error: { type, code: err.code, message: err.message, requestId } });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    [REQUEST_ID_HEADER]: requestId,
  });
  res.end(body);
}
