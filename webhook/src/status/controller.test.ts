import { describe, expect, it } from '@jest/globals';
import { createResourceValidator, type CredentialSource, type EgressPolicy } from '@portcullis/shared';
import { pino } from 'pino';
import { createMetrics } from '../metrics.js';
import { StatusController } from './controller.js';
import type { StatusKind } from './kube.js';

const source = (name: string, port: number, status?: CredentialSource['status']): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name, namespace: 'ns', generation: 2, uid: name },
  spec: { type: 'http', port, http: { preset: 'openai', secretRef: { name: 's', key: 'k' } } },
  ...(status ? { status } : {}),
});
const policy: EgressPolicy = {
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'EgressPolicy',
  metadata: { name: 'p', namespace: 'ns', generation: 1, uid: 'p' },
  spec: { workloads: { serviceAccounts: ['x'] }, rules: [{ effect: 'Allow', source: 'gone' }] },
};

function setup(sources: CredentialSource[]): { controller: StatusController; writes: { kind: StatusKind; name: string; status: unknown }[] } {
  const writes: { kind: StatusKind; name: string; status: unknown }[] = [];
  const controller = new StatusController({
    sources: () => sources,
    policies: () => [policy],
    synced: () => true,
    writer: { write: (kind, _ns, name, status) => { writes.push({ kind, name, status }); return Promise.resolve(); } },
    secrets: { keys: () => Promise.resolve({ found: true, keys: new Set(['k']) }) },
    now: () => new Date('2026-01-01T00:00:00Z'),
    validator: createResourceValidator(),
    log: pino({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    debounceMs: 1,
    resyncMs: 60_000,
  });
  return { controller, writes };
}

describe('StatusController', () => {
  it('writes nothing unless it holds the Lease', async () => {
    const { controller, writes } = setup([source('a', 18080)]);
    await controller.run();
    expect(writes).toEqual([]);
  });

  it('writes Ready conditions with observedGeneration for sources and policies', async () => {
    const { controller, writes } = setup([source('a', 18080), source('b', 18080)]);
    controller.setLeading(true);
    await controller.run();
    controller.stop();
    expect(writes.map((w) => [w.kind, w.name, (w.status as { conditions: { reason: string }[] }).conditions[0]?.reason])).toEqual([
      ['CredentialSource', 'a', 'PortConflict'],
      ['CredentialSource', 'b', 'PortConflict'],
      ['EgressPolicy', 'p', 'SourceNotFound'],
    ]);
    expect(writes[0]?.status).toMatchObject({ observedGeneration: 2 });
  });

  it('does not write the same status twice while the watch lags', async () => {
    const { controller, writes } = setup([source('a', 18080)]);
    controller.setLeading(true);
    await controller.run();
    await controller.run();
    controller.stop();
    expect(writes.filter((w) => w.name === 'a')).toHaveLength(1);
  });

  it('does not write a status that already says the same', async () => {
    const current = { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' as const, reason: 'Valid', message: 'the source is ready to inject', observedGeneration: 2, lastTransitionTime: '2025-01-01T00:00:00Z' }] };
    const { controller, writes } = setup([source('a', 18080, current)]);
    controller.setLeading(true);
    await controller.run();
    controller.stop();
    expect(writes.filter((w) => w.kind === 'CredentialSource')).toEqual([]);
  });
});
