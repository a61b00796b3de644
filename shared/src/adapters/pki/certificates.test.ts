import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate } from './certificates.js';

const now = new Date('2026-01-01T00:00:00Z');

describe('certificates', () => {
  const ca = createCertificateAuthority({ commonName: 'test-ca', validitySeconds: 3600, now });

  it('creates a self-signed CA that verifies itself and is marked as a CA', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toContain('CN=test-ca');
  });

  it('issues a server certificate signed by the CA for the requested names', () => {
    const leaf = issueCertificate(ca, {
      commonName: 'webhook',
      dnsNames: ['webhook.portcullis.svc'],
      ipAddresses: ['127.0.0.1'],
      usages: ['server'],
      validitySeconds: 600,
      now,
    });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkHost('webhook.portcullis.svc')).toBe('webhook.portcullis.svc');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 600_000);
    expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
  });

  it('puts organizations in the subject for client certificates (Kubernetes groups)', () => {
    const leaf = issueCertificate(ca, {
      commonName: 'admin',
      organizations: ['system:masters'],
      usages: ['client'],
      validitySeconds: 600,
      now,
    });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.subject).toContain('O=system:masters');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('is not verified by a different CA', () => {
    const other = createCertificateAuthority({ commonName: 'other', validitySeconds: 3600, now });
    const leaf = issueCertificate(ca, { commonName: 'x', usages: ['server'], validitySeconds: 60, now });
    expect(new X509Certificate(leaf.certPem).verify(new X509Certificate(other.certPem).publicKey)).toBe(false);
  });

  it('rejects a non-positive validity and an empty usage list', () => {
    expect(() => createCertificateAuthority({ commonName: 'x', validitySeconds: 0, now })).toThrow(expect.objectContaining({ code: 'INTERNAL', message: expect.stringMatching(/validitySeconds/) }));
    expect(() => issueCertificate(ca, { commonName: 'x', usages: [], validitySeconds: 60, now })).toThrow(expect.objectContaining({ code: 'INTERNAL', message: expect.stringMatching(/usage/) }));
  });
});
