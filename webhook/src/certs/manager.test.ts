import { describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import { pino } from 'pino';
import { createMetrics } from '../metrics.js';
import type { TlsMaterial } from '../server/admission-server.js';
import type { PublishResult } from './ca-bundle.js';
import { SecretCertManager, type CertManagerDeps } from './manager.js';
import type { CertMaterial } from './material.js';
import type { RotationPolicy } from './plan.js';
import type { StoredMaterial } from './secret-store.js';

const policy: RotationPolicy = {
  commonName: 'w.ns.svc',
  dnsNames: ['w.ns.svc'],
  ipAddresses: [],
  caValiditySeconds: 1000,
  caRenewBeforeSeconds: 400,
  certValiditySeconds: 300,
  certRenewBeforeSeconds: 100,
  caPropagationSeconds: 10,
};

/** A Secret with optimistic concurrency, as the API server keeps it. */
class FakeStore {
  stored: StoredMaterial | undefined;
  writes = 0;
  read(): Promise<StoredMaterial | undefined> {
    return Promise.resolve(this.stored);
  }
  write(material: CertMaterial, resourceVersion: string | undefined): Promise<void> {
    if ((this.stored?.resourceVersion ?? undefined) !== resourceVersion) return Promise.reject(Object.assign(new Error('conflict'), { code: 409 }));
    this.writes++;
    this.stored = { material, resourceVersion: String(this.writes) };
    return Promise.resolve();
  }
}

function manager(store: FakeStore, leader: boolean, served: TlsMaterial[], published: string[], now = new Date('2026-01-01T00:00:00Z')): SecretCertManager {
  const deps: CertManagerDeps = {
    store,
    publisher: {
      publish: (bundle: string): Promise<PublishResult> => {
        published.push(bundle);
        return Promise.resolve('published');
      },
    },
    issuer: { createCa: createCertificateAuthority, issue: issueCertificate },
    policy,
    isLeader: () => leader,
    now: () => now,
    log: pino({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    onServing: (tls) => served.push(tls),
    intervalMs: 60_000,
  };
  return new SecretCertManager(deps);
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe('SecretCertManager', () => {
  it('as leader creates the Secret, publishes the caBundle and serves the certificate', async () => {
    const store = new FakeStore();
    const served: TlsMaterial[] = [];
    const published: string[] = [];
    const m = manager(store, true, served, published);
    m.start();
    await settle();
    m.stop();
    expect(store.writes).toBe(1);
    expect(served).toHaveLength(1);
    expect(served[0]?.certPem).toBe(store.stored?.material?.leaf.certPem);
    expect(published).toEqual([store.stored?.material?.caBundlePem]);
    expect(m.serving()).toBe(true);
  });

  it('as follower never writes and serves what the leader stored', async () => {
    const store = new FakeStore();
    const followerServed: TlsMaterial[] = [];
    const follower = manager(store, false, followerServed, []);
    follower.start();
    await settle();
    expect(followerServed).toEqual([]);
    expect(store.writes).toBe(0);

    const leader = manager(store, true, [], []);
    leader.start();
    await settle();
    leader.stop();
    follower.kick();
    await settle();
    follower.stop();
    expect(store.writes).toBe(1);
    expect(followerServed[0]?.certPem).toBe(store.stored?.material?.leaf.certPem);
  });

  it('loses a write race without clobbering the winner, then serves the winner', async () => {
    const store = new FakeStore();
    const served: TlsMaterial[] = [];
    const a = manager(store, true, [], []);
    const b = manager(store, true, served, []);
    const realRead = store.read.bind(store);
    // Both read "no Secret"; a writes first; b's create must fail and b must take a's material next time.
    const before = await realRead();
    store.read = () => Promise.resolve(before);
    a.start();
    b.start();
    await settle();
    store.read = realRead;
    b.kick();
    await settle();
    a.stop();
    b.stop();
    expect(store.writes).toBe(1);
    expect(served.at(-1)?.certPem).toBe(store.stored?.material?.leaf.certPem);
  });
});
