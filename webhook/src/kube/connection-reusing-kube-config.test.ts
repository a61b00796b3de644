import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import { ConnectionReusingKubeConfig } from './connection-reusing-kube-config.js';

// A real TLS server standing in for the API server's Lease endpoint: it answers the GET a leader election
// makes and counts TLS handshakes, full and resumed.
const now = new Date();
const ca = createCertificateAuthority({ commonName: 'reuse-test-ca', validitySeconds: 3600, now });
const otherCa = createCertificateAuthority({ commonName: 'reuse-test-other-ca', validitySeconds: 3600, now });
const leaf = issueCertificate(ca, { commonName: 'apiserver', ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 3600, now });

let server: Server;
let port = 0;
let handshakes = 0;
let requests = 0;

beforeAll(async () => {
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    requests++;
    const body = JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'lease', namespace: 'ns' }, spec: { holderIdentity: 'a' } });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function load<T extends KubeConfig>(kc: T, caPem: string): T {
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

async function readLeases(kc: KubeConfig, n: number): Promise<{ handshakes: number; requests: number }> {
  const api = kc.makeApiClient(CoordinationV1Api);
  const [h0, r0] = [handshakes, requests];
  for (let i = 0; i < n; i++) {
    const lease = await api.readNamespacedLease({ name: 'lease', namespace: 'ns' });
    expect(lease.spec?.holderIdentity).toBe('a');
  }
  return { handshakes: handshakes - h0, requests: requests - r0 };
}

describe('ConnectionReusingKubeConfig', () => {
  it('sends consecutive API calls over kept connections (client-node alone opens one per call)', async () => {
    const plain = await readLeases(load(new KubeConfig(), ca.certPem), 10);
    const reusing = await readLeases(load(new ConnectionReusingKubeConfig(), ca.certPem), 10);
    expect(plain).toEqual({ handshakes: 10, requests: 10 });
    // undici may open a second connection while the first is still being released after its answer.
    expect(reusing.requests).toBe(10);
    expect(reusing.handshakes).toBeLessThanOrEqual(2);
  });

  it('serves concurrent calls and still verifies the server against the configured CA', async () => {
    const kc = load(new ConnectionReusingKubeConfig(), ca.certPem);
    const api = kc.makeApiClient(CoordinationV1Api);
    const leases = await Promise.all(Array.from({ length: 8 }, () => api.readNamespacedLease({ name: 'lease', namespace: 'ns' })));
    expect(leases.every((l) => l.spec?.holderIdentity === 'a')).toBe(true);

    // Pooling must not carry a verified connection over to settings that would not verify.
    const wrong = load(new ConnectionReusingKubeConfig(), otherCa.certPem);
    await expect(wrong.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'lease', namespace: 'ns' })).rejects.toThrow();
  });

  it('builds a new pool when the TLS settings change, so a rotated CA is used at once', async () => {
    const kc = load(new ConnectionReusingKubeConfig(), otherCa.certPem);
    const api = kc.makeApiClient(CoordinationV1Api);
    await expect(api.readNamespacedLease({ name: 'lease', namespace: 'ns' })).rejects.toThrow();
    // The CA in the kubeconfig is replaced (as a rotated CA file would be read): the next call verifies.
    const cluster = kc.getCurrentCluster() as { caData?: string };
    cluster.caData = Buffer.from(ca.certPem).toString('base64');
    const lease = await api.readNamespacedLease({ name: 'lease', namespace: 'ns' });
    expect(lease.spec?.holderIdentity).toBe('a');
  });
});
