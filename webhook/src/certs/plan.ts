import type { CaRequest, CertificateRequest, KeyPair } from '@portcullis/shared/pki';
import { canonicalPem, certInfo, issuedBy, keyMatches, normalizeIp, splitPems } from './inspect.js';
import type { CertMaterial } from './material.js';

export interface RotationPolicy {
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly caValiditySeconds: number;
  /** A new CA is made when the current one has less than this left. */
  readonly caRenewBeforeSeconds: number;
  readonly certValiditySeconds: number;
  /** A new serving certificate is issued when the current one has less than this left. */
  readonly certRenewBeforeSeconds: number;
  /** How long a new CA sits in the published caBundle before serving certificates move to it. */
  readonly caPropagationSeconds: number;
}

/** Certificate issuance (node-forge via @portcullis/shared in production); the only non-pure part, injected. */
export interface Issuer {
  createCa(req: CaRequest): KeyPair;
  issue(ca: KeyPair, req: CertificateRequest): KeyPair;
}

export type RotationReason = 'Created' | 'Invalid' | 'CaRotated' | 'LeafReissued' | 'LeafRenewed' | 'BundlePruned';

export type RotationPlan = { readonly action: 'keep' } | { readonly action: 'write'; readonly reason: RotationReason; readonly material: CertMaterial };

export interface RotationContext {
  readonly now: Date;
  /** The MutatingWebhookConfiguration's caBundle holds every CA of the current material's bundle. */
  readonly bundlePublished: boolean;
}

const msLeft = (pem: string, now: Date): number => certInfo(pem).notAfter.getTime() - now.getTime();
const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

function issueLeaf(ca: KeyPair, policy: RotationPolicy, issuer: Issuer, now: Date): KeyPair {
  // Never outlive the CA: a chain with an expired CA does not verify.
  const caSecondsLeft = Math.floor(msLeft(ca.certPem, now) / 1000);
  return issuer.issue(ca, {
    commonName: policy.commonName,
    dnsNames: policy.dnsNames,
    ipAddresses: policy.ipAddresses,
    usages: ['server'],
    validitySeconds: Math.max(1, Math.min(policy.certValiditySeconds, caSecondsLeft)),
    now,
  });
}

function fresh(policy: RotationPolicy, issuer: Issuer, now: Date): CertMaterial {
  const ca = issuer.createCa({ commonName: `${policy.commonName} CA`, validitySeconds: policy.caValiditySeconds, now });
  return { ca, caBundlePem: canonicalPem(ca.certPem), leaf: issueLeaf(ca, policy, issuer, now), caRotatedAt: now };
}

function caUsable(m: CertMaterial, now: Date): boolean {
  try {
    return keyMatches(m.ca.certPem, m.ca.keyPem) && msLeft(m.ca.certPem, now) > 0;
  } catch {
    return false;
  }
}

/** Serving certificate problems that need a new one right away (not waiting for propagation). */
function leafBroken(m: CertMaterial, bundle: readonly string[], now: Date): boolean {
  try {
    return !keyMatches(m.leaf.certPem, m.leaf.keyPem) || msLeft(m.leaf.certPem, now) <= 0 || !bundle.some((ca) => issuedBy(m.leaf.certPem, ca));
  } catch {
    return true;
  }
}

function leafReason(m: CertMaterial, bundle: readonly string[], ctx: RotationContext, policy: RotationPolicy): RotationReason | undefined {
  if (leafBroken(m, bundle, ctx.now)) return 'LeafReissued';
  if (!issuedBy(m.leaf.certPem, m.ca.certPem)) {
    // Signed by the previous CA: move to the new one once the API server has had time to trust it.
    const propagated = ctx.bundlePublished && ctx.now.getTime() - m.caRotatedAt.getTime() >= policy.caPropagationSeconds * 1000;
    return propagated ? 'LeafReissued' : undefined;
  }
  if (msLeft(m.leaf.certPem, ctx.now) < policy.certRenewBeforeSeconds * 1000) return 'LeafRenewed';
  const info = certInfo(m.leaf.certPem);
  const sansMatch = sameSet(info.dnsNames, policy.dnsNames) && sameSet(info.ipAddresses, policy.ipAddresses.map(normalizeIp));
  return sansMatch ? undefined : 'LeafReissued';
}

/**
 * The next certificate material. A CA is replaced before it expires by adding the new CA to the bundle
 * first; serving certificates move to it only after the bundle is published and has propagated, so the
 * API server trusts the webhook at every moment. Expired CAs leave the bundle.
 */
export function planRotation(current: CertMaterial | undefined, ctx: RotationContext, policy: RotationPolicy, issuer: Issuer): RotationPlan {
  const { now } = ctx;
  if (!current) return { action: 'write', reason: 'Created', material: fresh(policy, issuer, now) };
  if (!caUsable(current, now)) return { action: 'write', reason: 'Invalid', material: fresh(policy, issuer, now) };

  const caPem = canonicalPem(current.ca.certPem);
  const others = splitPems(current.caBundlePem).filter((pem) => pem !== caPem && msLeft(pem, now) > 0);
  const bundle = [caPem, ...new Set(others)];
  const pruned = bundle.join('') !== splitPems(current.caBundlePem).join('');

  if (msLeft(current.ca.certPem, now) < policy.caRenewBeforeSeconds * 1000) {
    const ca = issuer.createCa({ commonName: `${policy.commonName} CA`, validitySeconds: policy.caValiditySeconds, now });
    const caBundlePem = [canonicalPem(ca.certPem), ...bundle].join('');
    const leaf = leafBroken(current, bundle, now) ? issueLeaf(ca, policy, issuer, now) : current.leaf;
    return { action: 'write', reason: 'CaRotated', material: { ca, caBundlePem, leaf, caRotatedAt: now } };
  }
  const material: CertMaterial = { ...current, caBundlePem: bundle.join('') };
  const reason = leafReason(material, bundle, ctx, policy);
  if (reason) return { action: 'write', reason, material: { ...material, leaf: issueLeaf(current.ca, policy, issuer, now) } };
  return pruned ? { action: 'write', reason: 'BundlePruned', material } : { action: 'keep' };
}
