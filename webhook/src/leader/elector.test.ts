import { describe, expect, it } from '@jest/globals';
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { LeaderElector } from './elector.js';

/** One Lease with resourceVersion preconditions, as the API server keeps it. */
class FakeLeases {
  lease: V1Lease | undefined;
  private rv = 0;
  readNamespacedLease(): Promise<V1Lease> {
    if (!this.lease) return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
    return Promise.resolve(structuredClone(this.lease));
  }
  createNamespacedLease({ body }: { body: V1Lease }): Promise<V1Lease> {
    if (this.lease) return Promise.reject(Object.assign(new Error('exists'), { code: 409 }));
    return Promise.resolve(this.store(body));
  }
  replaceNamespacedLease({ body }: { body: V1Lease }): Promise<V1Lease> {
    if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) return Promise.reject(Object.assign(new Error('conflict'), { code: 409 }));
    return Promise.resolve(this.store(body));
  }
  private store(body: V1Lease): V1Lease {
    this.lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
    return this.lease;
  }
}

function elector(api: FakeLeases, identity: string, clock: { ms: number }, changes: string[]): LeaderElector {
  return new LeaderElector(
    { namespace: 'ns', name: 'lease', identity, leaseDurationSeconds: 3, retryIntervalMs: 5 },
    { api: api as unknown as CoordinationV1Api, log: pino({ level: 'silent' }), nowMs: () => clock.ms, onChange: (l) => changes.push(`${identity}:${String(l)}`) },
  );
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LeaderElector', () => {
  it('elects exactly one of two replicas and hands over when the leader releases the Lease', async () => {
    const api = new FakeLeases();
    const clock = { ms: 0 };
    const changes: string[] = [];
    const a = elector(api, 'a', clock, changes);
    const b = elector(api, 'b', clock, changes);
    a.start();
    await wait(30);
    b.start();
    await wait(30);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    await a.stop();
    await wait(30);
    expect(b.isLeader()).toBe(true);
    await b.stop();
    expect(changes).toEqual(['a:true', 'a:false', 'b:true', 'b:false']);
  });

  it('takes over a Lease whose holder stopped renewing, after the lease duration on its own clock', async () => {
    const api = new FakeLeases();
    const clock = { ms: 0 };
    const a = elector(api, 'a', clock, []);
    a.start();
    await wait(20);
    // a dies without releasing: stop its loop but keep the Lease record.
    const lease = api.lease;
    await a.stop();
    api.lease = lease;
    const b = elector(api, 'b', clock, []);
    b.start();
    await wait(20);
    expect(b.isLeader()).toBe(false);
    clock.ms += 3_100;
    await wait(20);
    expect(b.isLeader()).toBe(true);
    await b.stop();
  });
});
