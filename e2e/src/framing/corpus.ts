// The request-framing corpus: raw requests an untrusted app could write to a source's port, each with what
// must happen. `forward`: the upstream receives exactly this one request, re-framed by the sidecar, and
// nothing else. `refuse`: the app gets a 4xx and nothing reaches the upstream.

export type Expectation =
  | { readonly kind: 'forward'; readonly method: string; readonly target: string; readonly body: string }
  | { readonly kind: 'refuse' }
  /** RFC 9112 §6.3 lets a recipient do either; forwarded, it must be exactly this one re-framed request. */
  | { readonly kind: 'forward-or-refuse'; readonly method: string; readonly target: string; readonly body: string };

export interface FramingCase {
  readonly name: string;
  readonly bytes: Buffer;
  readonly expect: Expectation;
}

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const;
const NO_BODY_METHODS: ReadonlySet<string> = new Set(['HEAD', 'TRACE']);

/** A request head with `Host` and `Connection: close` (so the sidecar ends the exchange promptly). */
export function head(method: string, target: string, host: string, headers: readonly string[] = [], opts: { close?: boolean } = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...(opts.close === false ? [] : ['Connection: close']), ...headers];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

interface BodyVariant {
  readonly name: string;
  readonly headers: readonly string[];
  readonly body: string;
  /** The body the upstream must receive when the request is forwarded; undefined: always refused. */
  readonly decoded: string | undefined;
}

const BODY_VARIANTS: readonly BodyVariant[] = [
  { name: 'no body', headers: [], body: '', decoded: '' },
  { name: 'Content-Length body', headers: ['Content-Length: 5'], body: 'hello', decoded: 'hello' },
  { name: 'zero Content-Length', headers: ['Content-Length: 0'], body: '', decoded: '' },
  { name: 'chunked body', headers: ['Transfer-Encoding: chunked'], body: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', decoded: 'hello world' },
  { name: 'chunk extensions', headers: ['Transfer-Encoding: chunked'], body: '5;name=value\r\nhello\r\n0;last\r\n\r\n', decoded: 'hello' },
  { name: 'chunked trailers', headers: ['Transfer-Encoding: chunked', 'Trailer: X-Checksum'], body: '5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n', decoded: 'hello' },
  { name: 'Content-Length and Transfer-Encoding', headers: ['Content-Length: 5', 'Transfer-Encoding: chunked'], body: '5\r\nhello\r\n0\r\n\r\n', decoded: undefined },
  { name: 'invalid chunk size', headers: ['Transfer-Encoding: chunked'], body: 'zz\r\nhello\r\n0\r\n\r\n', decoded: undefined },
  { name: 'oversized chunk size', headers: ['Transfer-Encoding: chunked'], body: 'fffffffffffffffffff\r\nhello\r\n0\r\n\r\n', decoded: undefined },
  { name: 'LF-only chunk lines', headers: ['Transfer-Encoding: chunked'], body: '5\nhello\n0\n\n', decoded: undefined },
];

function methodCases(host: string): FramingCase[] {
  const cases: FramingCase[] = [];
  for (const method of METHODS) {
    for (const v of BODY_VARIANTS) {
      const target = `/v1/ok/${method.toLowerCase()}`;
      // TRACE is never forwarded (the upstream would echo the injected credential); HEAD and TRACE carry no body.
      const refused = v.decoded === undefined || method === 'TRACE' || (NO_BODY_METHODS.has(method) && v.decoded !== '');
      cases.push({
        name: `${method} with ${v.name}`,
        bytes: Buffer.from(head(method, target, host, v.headers) + v.body, 'latin1'),
        expect: refused ? { kind: 'refuse' } : { kind: 'forward', method, target, body: v.decoded ?? '' },
      });
    }
  }
  return cases;
}

function chunk(data: string): string {
  return `${Buffer.byteLength(data, 'latin1').toString(16)}\r\n${data}\r\n`;
}

function classicCases(host: string): FramingCase[] {
  const refuse = { kind: 'refuse' } as const;
  const smuggledGet = `GET /v1/forbidden/x HTTP/1.1\r\nX-Ignore: `;
  const smuggledPost = `POST /v1/ok/store HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 400\r\n\r\n`;
  const cases: FramingCase[] = [
    {
      name: 'GET whose chunked body is a forbidden request (the reported smuggle)',
      bytes: Buffer.from(head('GET', '/v1/ok', host, ['Transfer-Encoding: chunked']) + chunk(smuggledGet) + '0\r\n\r\n', 'latin1'),
      expect: { kind: 'forward', method: 'GET', target: '/v1/ok', body: smuggledGet },
    },
    {
      name: 'DELETE whose chunked body opens a POST that would swallow the next request head',
      bytes: Buffer.from(head('DELETE', '/v1/ok/item', host, ['Transfer-Encoding: chunked']) + chunk(smuggledPost) + '0\r\n\r\n', 'latin1'),
      expect: { kind: 'forward', method: 'DELETE', target: '/v1/ok/item', body: smuggledPost },
    },
    {
      name: 'OPTIONS with a Content-Length body holding a request',
      bytes: Buffer.from(head('OPTIONS', '/v1/ok', host, [`Content-Length: ${smuggledGet.length}`]) + smuggledGet, 'latin1'),
      expect: { kind: 'forward', method: 'OPTIONS', target: '/v1/ok', body: smuggledGet },
    },
    {
      name: 'HEAD with a chunked body holding a request',
      bytes: Buffer.from(head('HEAD', '/v1/ok', host, ['Transfer-Encoding: chunked']) + chunk(smuggledGet) + '0\r\n\r\n', 'latin1'),
      expect: refuse,
    },
    { name: 'CL.TE', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Content-Length: 13', 'Transfer-Encoding: chunked']) + '0\r\n\r\nSMUGGLED', 'latin1'), expect: refuse },
    { name: 'TE.CL', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Transfer-Encoding: chunked', 'Content-Length: 3']) + '8\r\nSMUGGLED\r\n0\r\n\r\n', 'latin1'), expect: refuse },
    { name: 'TE.TE: a second Transfer-Encoding', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Transfer-Encoding: chunked', 'Transfer-Encoding: x']) + '5\r\nhello\r\n0\r\n\r\n', 'latin1'), expect: refuse },
    { name: 'TE.TE: space before the colon', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Transfer-Encoding : chunked']) + '5\r\nhello\r\n0\r\n\r\n', 'latin1'), expect: refuse },
    { name: 'TE.TE: xchunked', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Transfer-Encoding: xchunked']) + '5\r\nhello\r\n0\r\n\r\n', 'latin1'), expect: refuse },
    { name: 'TE.TE: chunked listed twice', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Transfer-Encoding: chunked, chunked']) + '5\r\nhello\r\n0\r\n\r\n', 'latin1'), expect: refuse },
    { name: 'TE.TE: gzip, chunked (a coding the sidecar does not decode)', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Transfer-Encoding: gzip, chunked']) + '5\r\nhello\r\n0\r\n\r\n', 'latin1'), expect: refuse },
    { name: 'TE.TE: upper-case CHUNKED', bytes: Buffer.from(head('POST', '/v1/ok/upper', host, ['Transfer-Encoding: CHUNKED']) + '5\r\nhello\r\n0\r\n\r\n', 'latin1'), expect: { kind: 'forward', method: 'POST', target: '/v1/ok/upper', body: 'hello' } },
    // Node's parser refuses identical duplicates, Bun's merges them (both allowed by RFC 9112 §6.3 rule 5).
    { name: 'duplicate Content-Length, same value', bytes: Buffer.from(head('POST', '/v1/ok/dup', host, ['Content-Length: 5', 'Content-Length: 5']) + 'hello', 'latin1'), expect: { kind: 'forward-or-refuse', method: 'POST', target: '/v1/ok/dup', body: 'hello' } },
    { name: 'duplicate Content-Length, different values', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Content-Length: 5', 'Content-Length: 6']) + 'hello!', 'latin1'), expect: refuse },
    { name: 'Content-Length list', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Content-Length: 5, 5']) + 'hello', 'latin1'), expect: refuse },
    { name: 'Content-Length with a sign', bytes: Buffer.from(head('POST', '/v1/ok', host, ['Content-Length: +5']) + 'hello', 'latin1'), expect: refuse },
    { name: 'obs-fold header', bytes: Buffer.from(head('POST', '/v1/ok', host, ['X-Folded: a', ' b', 'Content-Length: 5']) + 'hello', 'latin1'), expect: refuse },
    { name: 'bare CR in a header', bytes: Buffer.from(head('GET', '/v1/ok', host, ['X-Bad: a\rb']), 'latin1'), expect: refuse },
    { name: 'bare LF line endings', bytes: Buffer.from(`GET /v1/ok HTTP/1.1\nHost: ${host}\nConnection: close\n\n`, 'latin1'), expect: refuse },
    { name: 'NUL in a header value', bytes: Buffer.from(head('GET', '/v1/ok', host, ['X-Bad: a\u0000b']), 'latin1'), expect: refuse },
    { name: 'absolute-form target', bytes: Buffer.from(head('GET', 'http://evil.example/v1/ok', host), 'latin1'), expect: refuse },
    { name: 'CONNECT', bytes: Buffer.from(head('CONNECT', 'evil.example:443', host), 'latin1'), expect: refuse },
    { name: 'h2c upgrade request is forwarded without the upgrade', bytes: Buffer.from(head('GET', '/v1/ok/h2c', host, ['Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQAAP__']).replace('Connection: close', 'Connection: Upgrade, HTTP2-Settings'), 'latin1'), expect: { kind: 'forward', method: 'GET', target: '/v1/ok/h2c', body: '' } },
    { name: 'Expect: 100-continue body', bytes: Buffer.from(head('POST', '/v1/ok/continue', host, ['Content-Length: 5', 'Expect: 100-continue']) + 'hello', 'latin1'), expect: { kind: 'forward', method: 'POST', target: '/v1/ok/continue', body: 'hello' } },
    { name: 'HTTP/1.0 request with a body', bytes: Buffer.from(`POST /v1/ok/old HTTP/1.0\r\nHost: ${host}\r\nContent-Length: 5\r\n\r\nhello`, 'latin1'), expect: { kind: 'forward', method: 'POST', target: '/v1/ok/old', body: 'hello' } },
    {
      name: 'chunk data that looks like the last chunk',
      bytes: Buffer.from(head('POST', '/v1/ok/tricky', host, ['Transfer-Encoding: chunked']) + chunk('a\r\n0\r\n\r\nGET /v1/forbidden/y HTTP/1.1\r\n\r\n') + '0\r\n\r\n', 'latin1'),
      expect: { kind: 'forward', method: 'POST', target: '/v1/ok/tricky', body: 'a\r\n0\r\n\r\nGET /v1/forbidden/y HTTP/1.1\r\n\r\n' },
    },
    {
      name: 'pipelined: an allowed request then a denied one on the same connection',
      bytes: Buffer.from(head('GET', '/v1/ok/first', host, [], { close: false }) + head('GET', '/v1/forbidden/second', host), 'latin1'),
      expect: { kind: 'forward', method: 'GET', target: '/v1/ok/first', body: '' },
    },
  ];
  return cases;
}

/** Every case, for a sidecar listening at `host` (127.0.0.1:<port>). */
export function framingCorpus(host: string): FramingCase[] {
  return [...methodCases(host), ...classicCases(host)];
}
