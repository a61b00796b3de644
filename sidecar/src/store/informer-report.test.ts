import { describe, expect, it } from '@jest/globals';
import { PortcullisError } from '@portcullis/shared';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { informerReport } from './informer-report.js';

function setup() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const metrics = createMetrics({ defaultMetrics: false });
  const hooks = informerReport<unknown>('egresspolicies', () => undefined, metrics, log);
  const errors = async (): Promise<number> => (await metrics.informerErrors.get()).values.find((v) => v.labels.resource === 'egresspolicies')?.value ?? 0;
  return { lines, hooks, errors };
}

describe('informerReport', () => {
  it('logs a ten-attempt outage as one warning with its code and cause, counts every attempt, and logs the recovery once', async () => {
    const { lines, hooks, errors } = setup();
    for (let attempt = 1; attempt <= 10; attempt++) {
      hooks.onError(new PortcullisError('KUBE_API_TIMEOUT', 'GET /apis/x: no complete answer within 10 s'), 30_000, attempt);
    }
    hooks.onRecover?.(10, 312_345);

    const visible = lines.filter((l) => (l.level as number) >= 30);
    expect(visible).toEqual([
      expect.objectContaining({ level: 40, code: 'POLICY_WATCH_FAILED', cause: 'KUBE_API_TIMEOUT', resource: 'egresspolicies', attempt: 1 }),
      expect.objectContaining({ level: 30, msg: 'list/watch of egresspolicies recovered', failedAttempts: 10, outageSeconds: 312.3 }),
    ]);
    expect(lines.filter((l) => l.level === 20)).toHaveLength(9);
    expect(await errors()).toBe(10);
  });

  it('logs the next outage again', () => {
    const { lines, hooks } = setup();
    hooks.onError(new PortcullisError('KUBE_WATCH_SILENT', 'silent'), 200, 1);
    hooks.onRecover?.(1, 200);
    hooks.onError(new Error('socket hang up'), 200, 1);
    expect(lines.filter((l) => l.level === 40).map((l) => l.cause)).toEqual(['KUBE_WATCH_SILENT', 'INTERNAL']);
  });
});
