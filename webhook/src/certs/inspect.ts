import { X509Certificate, createPrivateKey } from 'node:crypto';

export interface CertInfo {
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly x509: X509Certificate;
}

/** Parses one PEM certificate; throws when it is not one. */
export function certInfo(pem: string): CertInfo {
  const x509 = new X509Certificate(pem);
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of (x509.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) ipAddresses.push(normalizeIp(entry.slice(11)));
  }
  return { notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), dnsNames, ipAddresses, x509 };
}

/** OpenSSL prints IPv6 SANs in full (0:0:0:0:0:0:0:1); compare them in one form. */
export function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

/** The certificates in a PEM bundle, each in canonical PEM form; unparsable blocks are dropped. */
export function splitPems(bundle: string): string[] {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((b) => {
    try {
      return [new X509Certificate(b).toString()];
    } catch {
      return [];
    }
  });
}

/** True when `leafPem` was signed by `caPem`. */
export function issuedBy(leafPem: string, caPem: string): boolean {
  try {
    const leaf = new X509Certificate(leafPem);
    const ca = new X509Certificate(caPem);
    return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** True when `keyPem` is the private key of `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** One certificate in the canonical PEM form X509Certificate prints (LF line ends). */
export function canonicalPem(pem: string): string {
  return new X509Certificate(pem).toString();
}
