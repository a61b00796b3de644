import { describe, expect, it } from '@jest/globals';
import { CREDENTIAL_HEADERS, forwardRequestHeaders, forwardResponseHeaders } from './headers.js';

describe('forwardRequestHeaders', () => {
  it('strips every client-supplied credential header', () => {
    const incoming: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of CREDENTIAL_HEADERS) incoming[name] = 'stolen-or-placeholder';
    expect(forwardRequestHeaders(incoming, undefined)).toEqual({ 'content-type': 'application/json' });
  });

  it('strips hop-by-hop headers, the ones named in Connection, Host and Expect', () => {
    const out = forwardRequestHeaders(
      {
        host: '127.0.0.1:18080',
        connection: 'keep-alive, x-internal-hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        'proxy-connection': 'keep-alive',
        expect: '100-continue',
        'x-internal-hop': 'secret-route',
        'x-request-id': 'abc',
        'content-length': '10',
      },
      undefined,
    );
    expect(out).toEqual({ 'x-request-id': 'abc', 'content-length': '10' });
  });

  it('strips the extra names a source injects (e.g. its own header)', () => {
    expect(forwardRequestHeaders({ 'x-custom-key': 'placeholder', accept: '*/*' }, new Set(['x-custom-key']))).toEqual({
      accept: '*/*',
    });
  });
});

describe('forwardResponseHeaders', () => {
  it('drops hop-by-hop headers and upstream session cookies, keeps the rest', () => {
    expect(
      forwardResponseHeaders({
        connection: 'close',
        'transfer-encoding': 'chunked',
        'set-cookie': ['session=upstream'],
        'content-type': 'text/event-stream',
        location: '/v1/other',
      }),
    ).toEqual({ 'content-type': 'text/event-stream', location: '/v1/other' });
  });
});
