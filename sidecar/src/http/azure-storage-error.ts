import { httpStatusOf, xmlEscape, type PortcullisError } from '@portcullis/shared';
import type { Answer } from '../sources/runtime.js';
import { REQUEST_ID_HEADER } from './json-error.js';

/**
 * Azure Storage's error codes for the status Portcullis answers with: what its SDKs branch on (a 503
 * `ServerBusy` is retried with backoff, a 403 is not). The Portcullis code leads the message.
 */
const AZURE_CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'InvalidInput',
  403: 'AuthorizationPermissionMismatch',
  413: 'RequestBodyTooLarge',
  429: 'ServerBusy',
  500: 'InternalError',
  502: 'InternalError',
  503: 'ServerBusy',
  504: 'OperationTimedOut',
};

/**
 * A Portcullis refusal as Azure Storage words its own: `<Error><Code>…</Code><Message>…</Message></Error>`
 * with the code in `x-ms-error-code` (what @azure/storage-blob's RestError.code is read from, also for HEAD,
 * which has no body) and the message ending in Azure's `RequestId:` and `Time:` lines.
 */
export function writeAzureStorageError(res: Answer, err: PortcullisError, requestId: string, now: Date): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const status = httpStatusOf(err.code);
  const code = AZURE_CODE_BY_STATUS[status] ?? 'InternalError';
  const message = `Portcullis ${err.code}: ${err.message}\nRequestId:${requestId}\nTime:${now.toISOString()}`;
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-ms-error-code': code,
    'x-ms-request-id': requestId,
    [REQUEST_ID_HEADER]: requestId,
  });
  res.end(body);
}
