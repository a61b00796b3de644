import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@portcullis/shared/pki';
import { pino } from 'pino';
import { createMetrics } from '../metrics.js';
import type { TlsMaterial } from '../server/admission-server.js';
import { FileCertSource } from './file-source.js';

const now = new Date();
const ca = createCertificateAuthority({ commonName: 'ca', validitySeconds: 3600, now });
const leaf = (): KeyPair => issueCertificate(ca, { commonName: 'w', dnsNames: ['w'], usages: ['server'], validitySeconds: 3600, now });
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('FileCertSource', () => {
  it('serves the mounted certificate and swaps in a renewed one, ignoring a key that does not match', async () => {
    const first = leaf();
    const second = leaf();
    let files: TlsMaterial = first;
    const served: TlsMaterial[] = [];
    const metrics = createMetrics({ defaultMetrics: false });
    const source = new FileCertSource({ read: () => Promise.resolve(files), onServing: (t) => served.push(t), log: pino({ level: 'silent' }), metrics, intervalMs: 60_000 });
    source.start();
    await settle();
    source.kick();
    await settle();
    expect(served).toEqual([first]);

    files = { certPem: second.certPem, keyPem: first.keyPem };
    source.kick();
    await settle();
    expect(served).toHaveLength(1);
    expect((await metrics.certificateErrors.get()).values[0]?.value).toBe(1);

    files = second;
    source.kick();
    await settle();
    source.stop();
    expect(served).toEqual([first, second]);
  });
});
