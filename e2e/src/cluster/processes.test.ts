import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startDetached, stopLaunched, waitUntilHealthy } from './processes.js';

describe('startDetached + waitUntilHealthy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-processes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails early with the exit status and the log tail when the process dies during start-up', async () => {
    const proc = startDetached('dies', '/bin/sh', ['-c', 'echo "cannot bind 127.0.0.1:12379"; exit 3'], join(dir, 'dies.log'));
    const t0 = Date.now();
    await expect(waitUntilHealthy(proc, () => Promise.resolve(false), 20_000)).rejects.toThrow(/dies exited during start-up \(exit code 3\)[\s\S]*cannot bind 127\.0\.0\.1:12379/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('judges liveness by the child it started, not by the command name in /proc', async () => {
    // Named unlike its binary, as etcd is during the fork-to-exec window: a /proc name check calls it dead.
    const proc = startDetached('etcd', '/bin/sleep', ['30'], join(dir, 'sleep.log'));
    let probes = 0;
    await waitUntilHealthy(proc, () => Promise.resolve(++probes >= 3), 20_000);
    expect(probes).toBe(3);
    await stopLaunched(proc, 2_000);
    expect(proc.exitStatus()).toBe('signal SIGTERM');
  });
});
