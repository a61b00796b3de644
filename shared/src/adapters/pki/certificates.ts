import { constants, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { PortcullisError } from '../../errors/portcullis-error.js';

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** Subject organizations; Kubernetes reads client-certificate groups from here. */
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** `server` adds serverAuth, `client` adds clientAuth to extendedKeyUsage. */
  readonly usages: readonly ('server' | 'client')[];
  readonly validitySeconds: number;
  /** Start of validity; injected so tests and rotation logic control the clock. */
  readonly now: Date;
}

export interface CaRequest {
  readonly commonName: string;
  readonly validitySeconds: number;
  readonly now: Date;
}

const CLOCK_SKEW_MS = 60_000;
const RSA_BITS = 2048;

function newRsaKey(): { privatePem: string; publicKey: forge.pki.rsa.PublicKey } {
  // node:crypto generates the key natively; forge only builds and signs the certificate around it.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: RSA_BITS });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: forge.pki.publicKeyFromPem(publicPem),
  };
}

function newCertificate(publicKey: forge.pki.rsa.PublicKey, now: Date, validitySeconds: number): forge.pki.Certificate {
  if (!Number.isFinite(validitySeconds) || validitySeconds <= 0) {
    throw new PortcullisError('INTERNAL', `validitySeconds must be a positive number, got ${String(validitySeconds)}`);
  }
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive 128-bit serial: a leading 0x00..0x7f byte keeps the DER integer positive.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now.getTime() + validitySeconds * 1000);
  return cert;
}

// DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * forge builds the certificate; node:crypto makes the RSA signature (forge's pure-JS RSA is ~100x slower).
 * forge hands `sign` the SHA-256 state of the TBSCertificate; PKCS#1 v1.5 signs DigestInfo(digest).
 */
function sign(cert: forge.pki.Certificate, signerKeyPem: string): void {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, digest]);
      const signature = privateEncrypt({ key: signerKeyPem, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
      return signature.toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

/** Creates a self-signed certificate authority. */
export function createCertificateAuthority(req: CaRequest): KeyPair {
  const key = newRsaKey();
  const cert = newCertificate(key.publicKey, req.now, req.validitySeconds);
  const subject = [{ name: 'commonName', value: req.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  sign(cert, key.privatePem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem };
}

/** Issues a leaf certificate signed by `ca` for the names and usages in `req`. */
export function issueCertificate(ca: KeyPair, req: CertificateRequest): KeyPair {
  if (req.usages.length === 0) throw new PortcullisError('INTERNAL', 'a certificate needs at least one usage (server or client)');
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const key = newRsaKey();
  const cert = newCertificate(key.publicKey, req.now, req.validitySeconds);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: req.commonName }];
  for (const org of req.organizations ?? []) subject.push({ name: 'organizationName', value: org });
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: req.usages.includes('server'), clientAuth: req.usages.includes('client') },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  sign(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem };
}
