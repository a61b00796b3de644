import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { PodCa } from './pod-ca.js';

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/**
 * Terminates the app's TLS inside a CONNECT tunnel with the pod CA's leaf for `host` (ALPN http/1.1),
 * and hands the decrypted connection to `server` — the same request handler as the source's own port,
 * so every request inside runs identity → classify → decide → inject → forward → audit.
 */
export function terminate(client: Duplex, head: Buffer, host: string, ca: PodCa, server: Server, log: Logger): void {
  client.write(ESTABLISHED);
  if (head.length > 0) client.unshift(head);
  const tlsSocket = new TLSSocket(client, { isServer: true, secureContext: ca.contextFor(host), ALPNProtocols: ['http/1.1'] });
  tlsSocket.on('error', (err: NodeJS.ErrnoException) => {
    // A client that does not trust the pod CA ends the handshake here (unknown CA alert).
    log.info({ host, code: err.code, reason: err.message }, 'TLS with the app failed on the proxy port; does the app trust the pod CA (SSL_CERT_FILE, AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS)?');
    client.destroy();
  });
  server.emit('connection', tlsSocket);
}
