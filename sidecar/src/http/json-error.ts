import type { ServerResponse } from 'node:http';
import { httpStatusOf, type PortcullisError } from '@portcullis/shared';

export const REQUEST_ID_HEADER = 'x-portcullis-request-id';

/** The JSON error HTTP APIs get: `{"error": {"code", "message", "requestId"}}`. */
export function writeJsonError(res: ServerResponse, err: PortcullisError, requestId: string): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const body = JSON.stringify({ error: { code: err.code, message: err.message, requestId } });
  res.writeHead(httpStatusOf(err.code), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    [REQUEST_ID_HEADER]: requestId,
  });
  res.end(body);
}
