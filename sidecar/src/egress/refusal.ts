import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpStatusOf, type PortcullisError } from '@portcullis/shared';
import { REQUEST_ID_HEADER } from '../http/json-error.js';

/** Names the EgressPolicy that refused a tunnel (or the policies that had no allowing rule). */
export const POLICY_HEADER = 'x-portcullis-policy';

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 403: 'Forbidden', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** A header value that cannot break the response: printable ASCII only, bounded. */
const headerSafe = (v: string): string => v.replace(/[^\x20-\x7e]/g, '?').slice(0, 512);

function body(err: PortcullisError, requestId: string, policy: string | undefined): string {
  return JSON.stringify({ error: { code: err.code, message: err.message, policy: policy ?? null, requestId } });
}

/**
 * The answer to a refused CONNECT, written on the raw client socket, which is then closed: a status with
 * a JSON body (curl -v and every client's proxy error shows the status; the body says what to do) and the
 * deciding policy in `x-portcullis-policy`.
 */
export function refuseTunnel(socket: Duplex, err: PortcullisError, requestId: string, policy: string | undefined): number {
  const status = httpStatusOf(err.code);
  const text = body(err, requestId, policy);
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    ...(policy ? [`${POLICY_HEADER}: ${headerSafe(policy)}`] : []),
    'Connection: close',
  ];
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
  else socket.destroy();
  return status;
}

/** The same answer on an ordinary response (absolute-form requests). */
export function refuseRequest(res: ServerResponse, err: PortcullisError, requestId: string, policy: string | undefined): number {
  const status = httpStatusOf(err.code);
  if (res.headersSent) {
    res.destroy(err);
    return res.statusCode;
  }
  const text = body(err, requestId, policy);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    connection: 'close',
    [REQUEST_ID_HEADER]: requestId,
    ...(policy ? { [POLICY_HEADER]: headerSafe(policy) } : {}),
  });
  res.end(text);
  return status;
}
