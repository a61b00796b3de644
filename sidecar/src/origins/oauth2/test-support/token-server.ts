// A loopback OAuth2 token endpoint for the unit tests of the oauth2 origin: it records what it receives
// (headers and the form, parsed as a server parses it) and answers what the test scripts. The e2e tests
// use a real Ory Hydra instead (e2e/src/oauth2).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly form: URLSearchParams;
}

export type TokenAnswer = (call: TokenCall, res: ServerResponse) => void;

export interface TokenServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly tokenEndpoint: string;
  readonly calls: TokenCall[];
  /** Replaces what the token endpoint answers. */
  answer(fn: TokenAnswer): void;
  /** Refuses connections from now on (the port stays taken by nobody: a real outage). */
  close(): Promise<void>;
}

export function jsonAnswer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** Answers every token request with a new bearer token `at-<n>` valid for `expiresIn` seconds. */
export function issueTokens(expiresIn: number, scope?: string): TokenAnswer {
  let n = 0;
  return (_call, res) => jsonAnswer(res, 200, { access_token: `at-${++n}`, token_type: 'Bearer', expires_in: expiresIn, ...(scope !== undefined ? { scope } : {}) });
}

/** Starts the server on 127.0.0.1 port 0; `/.well-known/openid-configuration` names `issuer` (default: its own URL + '/'). */
export async function startTokenServer(opts: { issuer?: string; delayMs?: number } = {}): Promise<TokenServer> {
  const calls: TokenCall[] = [];
  let answer: TokenAnswer = issueTokens(3600);
  let url = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path === '/.well-known/openid-configuration') {
        jsonAnswer(res, 200, { issuer: opts.issuer ?? `${url}/`, token_endpoint: `${url}/oauth2/token` });
        return;
      }
      if (path.startsWith('/.well-known/')) {
        jsonAnswer(res, 404, { error: 'not_found' });
        return;
      }
      const call: TokenCall = { method: req.method ?? '', path, headers: req.headers, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) };
      calls.push(call);
      const reply = (): void => answer(call, res);
      if (opts.delayMs) setTimeout(reply, opts.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenEndpoint: `${url}/oauth2/token`,
    calls,
    answer: (fn) => {
      answer = fn;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
