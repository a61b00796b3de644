import { describe, expect, it } from '@jest/globals';
import type { CoreV1Event } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createMetrics } from '../metrics.js';
import { EventRecorder } from './recorder.js';

const event = (podName: string): { namespace: string; podName: string; reason: string; message: string } => ({ namespace: 'ns', podName, reason: 'SourceNotFound', message: 'm' });

describe('EventRecorder', () => {
  it('records Warning Events about the pod, off the admission path', async () => {
    const sent: CoreV1Event[] = [];
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = new EventRecorder({
      core: { createNamespacedEvent: ({ body }: { body: CoreV1Event }) => { sent.push(body); return Promise.resolve(body); } },
      log: pino({ level: 'silent' }),
      metrics,
      now: () => new Date('2026-01-01T00:00:00Z'),
      instance: 'replica-a',
      maxQueued: 10,
    });
    recorder.record([event('web-')]);
    await recorder.flush();
    expect(sent[0]).toMatchObject({ type: 'Warning', reason: 'SourceNotFound', involvedObject: { kind: 'Pod', name: 'web-', namespace: 'ns' }, reportingInstance: 'replica-a' });
  });

  it('drops and counts Events beyond its queue instead of holding memory or admissions', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const recorder = new EventRecorder({
      core: { createNamespacedEvent: async ({ body }: { body: CoreV1Event }) => { await gate; return body; } },
      log: pino({ level: 'silent' }),
      metrics,
      now: () => new Date(),
      instance: 'r',
      maxQueued: 2,
    });
    recorder.record([event('a'), event('b'), event('c'), event('d')]);
    release();
    await recorder.flush();
    const values = (await metrics.events.get()).values;
    expect(values.find((v) => v.labels.result === 'dropped')?.value).toBe(2);
    expect(values.find((v) => v.labels.result === 'sent')?.value).toBe(2);
  });
});
