import { randomBytes } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { KeyPair } from '@portcullis/shared/pki';

/** The certificate functions of @portcullis/shared/pki (node-forge), loaded only when the proxy port is on. */
export interface Pki {
  createCertificateAuthority(req: { commonName: string; validitySeconds: number; now: Date }): KeyPair;
  issueCertificate(ca: KeyPair, req: { commonName: string; dnsNames: readonly string[]; ipAddresses?: readonly string[]; usages: readonly ('server' | 'client')[]; validitySeconds: number; now: Date }): KeyPair;
}

/** The CA lives as long as the pod could; leaves are short and re-issued well before they expire. */
const CA_VALIDITY_SECONDS = 366 * 24 * 3600;
const LEAF_VALIDITY_SECONDS = 24 * 3600;
const LEAF_RENEW_BEFORE_MS = 3600_000;
/** Hosts a pod talks to through sources are few; the cache is bounded all the same. */
const MAX_LEAVES = 256;

interface Leaf {
  readonly context: SecureContext;
  readonly renewAtMs: number;
}

/**
 * The per-pod CA of proxy mode: generated in memory at start; its private key is never written anywhere
 * and never leaves this object. Mints a leaf certificate per host a source serves (cached, bounded,
 * renewed ahead of expiry), as TLS contexts that offer ALPN http/1.1 only.
 */
export class PodCa {
  private readonly ca: KeyPair;
  private readonly leaves = new Map<string, Leaf>();
  /** The CA certificate (public), for the file the app containers trust. */
  readonly certPem: string;

  constructor(
    private readonly pki: Pki,
    private readonly now: () => Date,
  ) {
    // A name of its own per pod, so a leaked leaf chain names the CA it came from in logs and tools.
    this.ca = pki.createCertificateAuthority({ commonName: `Portcullis pod CA ${randomBytes(4).toString('hex')}`, validitySeconds: CA_VALIDITY_SECONDS, now: now() });
    this.certPem = this.ca.certPem;
  }

  /** The TLS context for `host` (normalized: a name or an IP literal). */
  contextFor(host: string): SecureContext {
    const nowMs = this.now().getTime();
    const cached = this.leaves.get(host);
    if (cached && cached.renewAtMs > nowMs) {
      // Most recently used last: the first entry is the one evicted.
      this.leaves.delete(host);
      this.leaves.set(host, cached);
      return cached.context;
    }
    const isIp = /^[0-9.]+$/.test(host) || host.includes(':');
    const leaf = this.pki.issueCertificate(this.ca, {
      commonName: host.slice(0, 64),
      dnsNames: isIp ? [] : [host],
      ...(isIp ? { ipAddresses: [host] } : {}),
      usages: ['server'],
      validitySeconds: LEAF_VALIDITY_SECONDS,
      now: new Date(nowMs),
    });
    const context = createSecureContext({ cert: leaf.certPem, key: leaf.keyPem, minVersion: 'TLSv1.2' });
    this.leaves.delete(host);
    this.leaves.set(host, { context, renewAtMs: nowMs + LEAF_VALIDITY_SECONDS * 1000 - LEAF_RENEW_BEFORE_MS });
    while (this.leaves.size > MAX_LEAVES) {
      const oldest = this.leaves.keys().next().value;
      if (oldest === undefined) break;
      this.leaves.delete(oldest);
    }
    return context;
  }

  /** How many leaves are cached (tests). */
  cachedLeaves(): number {
    return this.leaves.size;
  }
}
