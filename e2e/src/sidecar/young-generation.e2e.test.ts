// Memory of a streamed upload. The shipped sidecar runs on Bun, whose default heap keeps a 384 MiB upload
// within the 32 MiB growth target; --young-generation-mib (a V8 setting) is accepted there and logged as
// ignored. On Node the flag reaches V8: capped at 2 MiB the peak stays within 32 MiB while V8's default
// does not (bench/ANALYSIS.md, finding 12, measures the CPU cost).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { startSidecarProcess, type SidecarProcess, type SidecarRuntime } from '../support/sidecar-process.js';
import { bearerResources, upload } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'young-generation-key';
const MiB = 1024 * 1024;
const UPLOAD_MiB = 384;

interface Run {
  /** Peak RSS during the upload over RSS before it (MiB). */
  readonly growthMiB: number;
}

describe('--young-generation-mib', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-young-'));
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (req, res) => {
      req.on('end', () => json(res, 200, { ok: true }));
      req.resume();
    });
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    writeFileSync(join(dir, 'sources/api/key'), KEY);
  });

  afterAll(async () => {
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh standalone sidecar with `extra` flags: warm-up request, then one upload of UPLOAD_MiB. */
  async function run(name: string, extra: readonly string[], runtime: SidecarRuntime = 'shipped'): Promise<Run> {
    const port = testPort();
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'resources.yaml'), bearerResources(port, upstream, ['/**']));
    const sidecar: SidecarProcess = await startSidecarProcess([
      '--standalone', '--config', join(dir, name), '--identity', 'team-a/agent/agent-0', '--secrets-dir', join(dir, 'sources'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', ...extra,
    ], 15_000, runtime);
    try {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await fetch(`http://127.0.0.1:${port}/warmup`, { method: 'PUT', body: 'x' }).then((r) => r.status, () => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(200);
      const before = await sidecar.memoryKiB();
      expect(await upload(`http://127.0.0.1:${port}/upload`, UPLOAD_MiB)).toBe(200);
      expect(upstream.received.at(-1)?.bodyBytes).toBe(UPLOAD_MiB * MiB);
      const after = await sidecar.memoryKiB();
      return { growthMiB: (after.peak - before.current) / 1024 };
    } finally {
      await sidecar.stop();
    }
  }

  it('the shipped (Bun) sidecar streams an upload: its memory grows by a small fraction of the body', async () => {
    const shipped = await run('shipped', []);
    // Measured here: 31–33 MiB over a 384 MiB upload (the 32 MiB target is judged by make bench, not here).
    expect(shipped.growthMiB).toBeLessThan(64);
  }, 120_000);

  it('the shipped (Bun) sidecar accepts --young-generation-mib and says it is ignored there', async () => {
    const port = testPort();
    mkdirSync(join(dir, 'flag'));
    writeFileSync(join(dir, 'flag', 'resources.yaml'), bearerResources(port, upstream, ['/**']));
    const sidecar = await startSidecarProcess([
      '--standalone', '--config', join(dir, 'flag'), '--identity', 'team-a/agent/agent-0', '--secrets-dir', join(dir, 'sources'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', '--young-generation-mib', '2',
    ]);
    try {
      const started = JSON.parse(sidecar.stderr.find((l) => l.includes('portcullis sidecar started')) ?? '{}') as { runtime?: string };
      expect(started.runtime).toMatch(/^bun \d/);
      expect(sidecar.stderr.some((l) => l.includes('--young-generation-mib') && l.includes('ignored'))).toBe(true);
    } finally {
      await sidecar.stop();
    }
  });

  it('on Node (the previous runtime) the cap reaches V8: 2 MiB keeps the peak far below the default', async () => {
    const capped = await run('capped', ['--young-generation-mib', '2'], 'node');
    const uncapped = await run('default', [], 'node');
    // Measured here: capped 13–15 MiB, default 70–77 MiB over 384 MiB uploads.
    expect(capped.growthMiB).toBeLessThan(32);
    expect(uncapped.growthMiB).toBeGreaterThan(capped.growthMiB * 2);
  }, 120_000);
});
