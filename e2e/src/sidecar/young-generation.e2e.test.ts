// --young-generation-mib reaches V8: two sidecar processes, one capped at 2 MiB and one with V8's
// default, take the same streamed upload; the capped one's memory peak stays within the benchmark's
// 32 MiB target while the default's does not (bench/ANALYSIS.md, finding 12, measures the CPU cost).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { bearerResources, upload } from '../support/standalone-config.js';

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
  async function run(name: string, extra: readonly string[]): Promise<Run> {
    const port = 20000 + Math.floor(Math.random() * 20000);
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'resources.yaml'), bearerResources(port, upstream, ['/**']));
    const sidecar: SidecarProcess = await startSidecarProcess([
      '--standalone', '--config', join(dir, name), '--identity', 'team-a/agent/agent-0', '--secrets-dir', join(dir, 'sources'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', ...extra,
    ]);
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

  it('keeps the upload peak within 32 MiB where the default grows by several times that', async () => {
    const capped = await run('capped', ['--young-generation-mib', '2']);
    const uncapped = await run('default', []);
    // Measured here: capped 13–15 MiB, default 70–77 MiB over 384 MiB uploads.
    expect(capped.growthMiB).toBeLessThan(32);
    expect(uncapped.growthMiB).toBeGreaterThan(capped.growthMiB * 2);
  }, 120_000);
});
