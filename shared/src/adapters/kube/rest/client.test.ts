import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate } from '../../pki/certificates.js';
import { KubeRestClient } from './client.js';

const now = new Date();
const ca = createCertificateAuthority({ commonName: 'kube-rest-test-ca', validitySeconds: 3600, now });
const leaf = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 3600, now });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A TLS API server on 127.0.0.1:0 whose answers the test scripts. */
async function apiServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<KubeRestClient> {
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new KubeRestClient({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: ca.certPem }, { requestTimeoutMs: 300 });
  closers.push(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return client;
}

/** What a SIGSTOPped API server looks like from outside: the kernel accepts the connection, nothing answers. */
async function frozenServer(): Promise<KubeRestClient> {
  const sockets: Socket[] = [];
  const server: TcpServer = createTcpServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new KubeRestClient({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca: ca.certPem }, { requestTimeoutMs: 300 });
  closers.push(async () => {
    client.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return client;
}

function watchDone(client: KubeRestClient, idleTimeoutMs: number): Promise<{ err: unknown; events: string[]; openMs: number }> {
  const events: string[] = [];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    client
      .watch('/apis/x', { timeoutSeconds: '300' }, (type) => events.push(type), (err) => resolve({ err, events, openMs: Date.now() - t0 }), { idleTimeoutMs })
      .catch(reject);
  });
}

describe('KubeRestClient deadlines', () => {
  it('fails a call to a frozen API server with KUBE_API_TIMEOUT after the request timeout, not later', async () => {
    const client = await frozenServer();
    const t0 = Date.now();
    await expect(client.json('GET', '/apis/x')).rejects.toMatchObject({ code: 'KUBE_API_TIMEOUT', message: expect.stringMatching(/GET https:\/\/127\.0\.0\.1:\d+\/apis\/x: no complete answer .* within 0\.3 s/) });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('fails a JSON answer whose body stops halfway with KUBE_API_TIMEOUT', async () => {
    const client = await apiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items": [');
    });
    await expect(client.json('GET', '/apis/x')).rejects.toMatchObject({ code: 'KUBE_API_TIMEOUT' });
  });

  it('fails opening a watch on a frozen API server with KUBE_API_TIMEOUT', async () => {
    const client = await frozenServer();
    await expect(client.watch('/apis/x', {}, () => undefined, () => undefined)).rejects.toMatchObject({ code: 'KUBE_API_TIMEOUT' });
  });

  it('ends a watch that goes silent with KUBE_WATCH_SILENT after the idle timeout', async () => {
    const client = await apiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"5"}}}\n');
    });
    const done = await watchDone(client, 400);
    expect(done.events).toEqual(['BOOKMARK']);
    expect(done.err).toMatchObject({ code: 'KUBE_WATCH_SILENT', message: expect.stringMatching(/no byte from the API server for 0\.4 s/) });
    expect(done.openMs).toBeGreaterThanOrEqual(390);
    expect(done.openMs).toBeLessThan(2000);
  });

  it('keeps a watch open past the idle timeout while bookmarks keep arriving', async () => {
    const client = await apiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"${++n}"}}}\n`);
        if (n === 8) {
          clearInterval(tick);
          res.end();
        }
      }, 100);
    });
    const done = await watchDone(client, 300);
    expect(done.err).toBeUndefined();
    expect(done.events).toHaveLength(8);
    expect(done.openMs).toBeGreaterThan(600);
  });

  it('reports a refused connection as KUBE_API_UNREACHABLE and an error status as KUBE_API_ERROR', async () => {
    const tcp = createTcpServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as AddressInfo).port;
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const refused = new KubeRestClient({ server: `https://127.0.0.1:${port}`, ca: ca.certPem });
    await expect(refused.json('GET', '/apis/x')).rejects.toMatchObject({ code: 'KUBE_API_UNREACHABLE', message: expect.stringMatching(/ECONNREFUSED/) });
    refused.close();

    const client = await apiServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"kind":"Status","reason":"Forbidden","message":"no"}');
    });
    await expect(client.json('GET', '/apis/x')).rejects.toMatchObject({ code: 'KUBE_API_ERROR', status: 403, reason: 'Forbidden' });
  });

  it('reports an answer that is not JSON as KUBE_API_INVALID_ANSWER', async () => {
    const client = await apiServer((_req, res) => res.writeHead(200).end('<html>proxy</html>'));
    await expect(client.json('GET', '/apis/x')).rejects.toMatchObject({ code: 'KUBE_API_INVALID_ANSWER' });
  });
});
