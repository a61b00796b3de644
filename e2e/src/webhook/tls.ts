import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';

/** The certificate a TLS server presents (fingerprint and notAfter), read with a fresh handshake. */
export function servedCertificate(port: number, caPem: string): Promise<{ fingerprint: string; validTo: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername: undefined, rejectUnauthorized: true }, () => {
      const raw = socket.getPeerX509Certificate() ?? new X509Certificate(socket.getPeerCertificate().raw);
      socket.end();
      resolve({ fingerprint: raw.fingerprint256, validTo: raw.validTo, issuer: raw.issuer });
    });
    socket.once('error', reject);
  });
}
