// A local HTTPS upstream for pipeline tests. It is a fake only of the API's business logic: it checks the
// credential it receives on every request and records what arrived, so tests assert on the wire.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@portcullis/shared/pki';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  bodyBytes: number;
  aborted: boolean;
}

export type Route = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

export interface Upstream {
  readonly url: string;
  readonly ca: KeyPair;
  readonly received: Received[];
  close(): Promise<void>;
}

/** A CA and a certificate for 127.0.0.1/localhost, made once per test file. */
export function testPki(): { ca: KeyPair; leaf: KeyPair } {
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'upstream-test-ca', validitySeconds: 3600, now });
  const leaf = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 3600, now });
  return { ca, leaf };
}

/**
 * Starts an HTTPS server on `host` (127.0.0.1 unless given; the e2e node's pods reach the host at their
 * bridge's address), port 0. `authorize` decides whether the credential headers are the real
 * ones; requests that fail it get 401 and are still recorded (tests assert none arrive that way).
 */
export async function startUpstream(
  pki: { ca: KeyPair; leaf: KeyPair },
  authorize: (req: IncomingMessage) => boolean,
  route: Route,
  host = '127.0.0.1',
): Promise<Upstream> {
  const received: Received[] = [];
  const server: Server = createServer({ cert: pki.leaf.certPem, key: pki.leaf.keyPem }, (req, res) => {
    const rec: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes: 0, aborted: false };
    received.push(rec);
    req.on('data', (c: Buffer) => (rec.bodyBytes += c.length));
    req.on('aborted', () => (rec.aborted = true));
    res.on('close', () => {
      if (!res.writableFinished) rec.aborted = true;
    });
    if (!authorize(req)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"bad credential"}}');
      return;
    }
    route(req, res, rec);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${host}:${port}`,
    ca: pki.ca,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}
