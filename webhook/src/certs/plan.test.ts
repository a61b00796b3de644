import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import { certInfo, issuedBy, splitPems } from './inspect.js';
import type { CertMaterial } from './material.js';
import { planRotation, type Issuer, type RotationPlan, type RotationPolicy } from './plan.js';

const issuer: Issuer = { createCa: createCertificateAuthority, issue: issueCertificate };
const policy: RotationPolicy = {
  commonName: 'portcullis-webhook.portcullis-system.svc',
  dnsNames: ['portcullis-webhook.portcullis-system.svc'],
  ipAddresses: ['127.0.0.1'],
  caValiditySeconds: 1000,
  caRenewBeforeSeconds: 400,
  certValiditySeconds: 300,
  certRenewBeforeSeconds: 100,
  caPropagationSeconds: 20,
};
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

function written(plan: RotationPlan): CertMaterial {
  if (plan.action !== 'write') throw new Error('expected a write');
  return plan.material;
}
const created = (): CertMaterial => written(planRotation(undefined, { now: t0, bundlePublished: false }, policy, issuer));

describe('planRotation', () => {
  it('creates a CA and a serving certificate for the configured names when there is none', () => {
    const m = created();
    const leaf = certInfo(m.leaf.certPem);
    expect(leaf.dnsNames).toEqual(policy.dnsNames);
    expect(leaf.ipAddresses).toEqual(['127.0.0.1']);
    expect(issuedBy(m.leaf.certPem, m.ca.certPem)).toBe(true);
    expect(splitPems(m.caBundlePem)).toHaveLength(1);
  });

  it('keeps material that is valid and not due', () => {
    const m = created();
    expect(planRotation(m, { now: at(100), bundlePublished: true }, policy, issuer)).toEqual({ action: 'keep' });
  });

  it('renews the serving certificate before it expires, under the same CA', () => {
    const m = created();
    const plan = planRotation(m, { now: at(210), bundlePublished: true }, policy, issuer);
    expect(plan).toMatchObject({ action: 'write', reason: 'LeafRenewed' });
    const next = written(plan);
    expect(next.ca).toEqual(m.ca);
    expect(next.caBundlePem).toBe(m.caBundlePem);
    expect(issuedBy(next.leaf.certPem, m.ca.certPem)).toBe(true);
  });

  it('reissues the serving certificate when the configured names change', () => {
    const plan = planRotation(created(), { now: at(10), bundlePublished: true }, { ...policy, dnsNames: ['other.svc'] }, issuer);
    expect(plan).toMatchObject({ action: 'write', reason: 'LeafReissued' });
  });

  it('adds a new CA to the bundle first and moves the serving certificate only after propagation', () => {
    let m = created();
    // Keep the leaf fresh so only the CA is due.
    m = written(planRotation(m, { now: at(590), bundlePublished: true }, policy, issuer));
    const rotated = planRotation(m, { now: at(610), bundlePublished: true }, policy, issuer);
    expect(rotated).toMatchObject({ action: 'write', reason: 'CaRotated' });
    const r = written(rotated);
    expect(splitPems(r.caBundlePem)).toHaveLength(2);
    expect(r.leaf).toEqual(m.leaf);

    expect(planRotation(r, { now: at(620), bundlePublished: true }, policy, issuer)).toEqual({ action: 'keep' });
    expect(planRotation(r, { now: at(640), bundlePublished: false }, policy, issuer)).toEqual({ action: 'keep' });
    const moved = written(planRotation(r, { now: at(640), bundlePublished: true }, policy, issuer));
    expect(issuedBy(moved.leaf.certPem, r.ca.certPem)).toBe(true);
  });

  it('drops an expired CA from the bundle', () => {
    let m = created();
    m = written(planRotation(m, { now: at(610), bundlePublished: true }, policy, issuer));
    m = written(planRotation(m, { now: at(900), bundlePublished: true }, policy, issuer));
    expect(splitPems(m.caBundlePem)).toHaveLength(2);
    const plan = planRotation(m, { now: at(1001), bundlePublished: true }, policy, issuer);
    expect(plan).toMatchObject({ action: 'write', reason: 'BundlePruned' });
    expect(splitPems(written(plan).caBundlePem)).toHaveLength(1);
  });

  it('starts over when the stored CA key does not match its certificate', () => {
    const a = created();
    const b = created();
    const plan = planRotation({ ...a, ca: { certPem: a.ca.certPem, keyPem: b.ca.keyPem } }, { now: at(1), bundlePublished: true }, policy, issuer);
    expect(plan).toMatchObject({ action: 'write', reason: 'Invalid' });
  });

  it('never issues a serving certificate that outlives its CA', () => {
    const m = created();
    const late = written(planRotation(m, { now: at(590), bundlePublished: true }, { ...policy, certValiditySeconds: 5000 }, issuer));
    expect(certInfo(late.leaf.certPem).notAfter.getTime()).toBeLessThanOrEqual(certInfo(m.ca.certPem).notAfter.getTime());
  });

  it('keeps the API server trusting the served certificate through several CA lifetimes', () => {
    // The API server trusts the bundle published one tick ago (informer lag); the webhook serves what it last wrote.
    const tickSeconds = 5;
    let material: CertMaterial | undefined;
    let trusted: string[] = [];
    const reasons = new Set<string>();
    for (let s = 0; s <= 2600; s += tickSeconds) {
      const now = at(s);
      const plan = planRotation(material, { now, bundlePublished: material !== undefined }, policy, issuer);
      const previousTrust = trusted;
      if (plan.action === 'write') {
        reasons.add(plan.reason);
        material = plan.material;
      }
      if (!material) throw new Error('no material');
      if (s > 0) {
        const leaf = certInfo(material.leaf.certPem);
        expect(leaf.notAfter.getTime()).toBeGreaterThan(now.getTime());
        expect(previousTrust.some((ca) => issuedBy(material?.leaf.certPem ?? '', ca) && certInfo(ca).notAfter > now)).toBe(true);
      }
      trusted = splitPems(material.caBundlePem);
    }
    expect([...reasons].sort()).toEqual(['BundlePruned', 'CaRotated', 'Created', 'LeafReissued', 'LeafRenewed']);
  });
});
