import type { OutgoingHttpHeaders } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { PortcullisError, type ErrorCode } from '@portcullis/shared';
import type { Answer } from '../sources/runtime.js';
import { writeAzureStorageError } from './azure-storage-error.js';

function recorder(): Answer & { status: number; headers: OutgoingHttpHeaders; body: string } {
  return {
    headersSent: false,
    status: 0,
    headers: {},
    body: '',
    setHeader() {
      return undefined;
    },
    writeHead(status: number, headers: OutgoingHttpHeaders) {
      this.status = status;
      this.headers = headers;
    },
    end(body: string) {
      this.body = body;
    },
    destroy() {
      return undefined;
    },
  };
}

const TIME = new Date('2026-12-07T19:30:00.000Z');

describe('writeAzureStorageError', () => {
  it.each<[ErrorCode, number, string]>([
    ['POLICY_DENIED', 403, 'AuthorizationPermissionMismatch'],
    ['AZURE_TOKEN_REFUSED', 503, 'ServerBusy'],
    ['RATE_LIMITED', 429, 'ServerBusy'],
    ['UPSTREAM_TIMEOUT', 504, 'OperationTimedOut'],
  ])('answers %s as Azure Storage does: status %d, x-ms-error-code %s, the code again in the XML', (code, status, azure) => {
    const res = recorder();
    writeAzureStorageError(res, new PortcullisError(code, 'what to do'), 'req-1', TIME);
    expect(res.status).toBe(status);
    expect(res.headers).toMatchObject({ 'content-type': 'application/xml', 'x-ms-error-code': azure, 'x-ms-request-id': 'req-1', 'x-portcullis-request-id': 'req-1' });
    expect(res.body).toBe(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${azure}</Code><Message>Portcullis ${code}: what to do\nRequestId:req-1\nTime:2026-12-07T19:30:00.000Z</Message></Error>`,
    );
    expect(res.headers['content-length']).toBe(Buffer.byteLength(res.body));
  });

  it('escapes the message, so a path in it cannot add XML elements', () => {
    const res = recorder();
    writeAzureStorageError(res, new PortcullisError('POLICY_DENIED', 'GET /c/<Code>x</Code>&b denied'), 'r', TIME);
    expect(res.body).toContain('GET /c/&lt;Code&gt;x&lt;/Code&gt;&amp;b denied');
    expect(res.body.match(/<Code>/g)).toHaveLength(1);
  });

  it('cuts the connection when the response has already started', () => {
    const res = { ...recorder(), headersSent: true, destroyed: false as boolean };
    res.destroy = function (this: typeof res) {
      this.destroyed = true;
    };
    writeAzureStorageError(res, new PortcullisError('UPSTREAM_UNREACHABLE', 'x'), 'r', TIME);
    expect(res.destroyed).toBe(true);
    expect(res.body).toBe('');
  });
});
