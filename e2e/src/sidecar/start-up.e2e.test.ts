// How the shipped executable starts (ADR 38): what it reads from the folder it starts in, and the JIT
// thresholds it starts with and restores.
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Upstream } from '@portcullis/sidecar/testing';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { startBearerWorld } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'start-up-real-key';

describe('the sidecar executable at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-start-up-'));
  const work = join(dir, 'work');
  const marker = join(dir, 'preloaded');
  const port = testPort();
  let upstream: Upstream;
  let sidecar: SidecarProcess;

  beforeAll(async () => {
    upstream = await startBearerWorld(dir, KEY, port);
    // What Bun's runtime would pick up from the working folder by default: a .env (here one that would
    // make the sidecar refuse to start) and a bunfig.toml whose preload runs code before the sidecar's.
    mkdirSync(work);
    writeFileSync(join(work, '.env'), 'PORTCULLIS_LOG_LEVEL=not-a-level\nPORTCULLIS_ADMIN_PORT=not-a-port\n');
    writeFileSync(join(work, 'bunfig.toml'), 'preload = ["./preload.js"]\n');
    writeFileSync(join(work, 'preload.js'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    sidecar = await startSidecarProcess(
      ['--standalone', '--config', join(dir, 'config'), '--identity', 'team-a/agent/agent-0', '--secrets-dir', join(dir, 'sources'), '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1'],
      15_000,
      'shipped',
      { cwd: work },
    );
  }, 30_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads no .env and no bunfig.toml from its working folder: its flags alone say what it does', async () => {
    expect(existsSync(marker)).toBe(false);
    expect(sidecar.stderr.some((l) => l.includes('CONFIG_INVALID'))).toBe(false);
    const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
    expect(res.status).toBe(200);
  });

  it('puts the JIT thresholds back to normal once started, and serves the first calls', async () => {
    const started = sidecar.stderr.map((l) => JSON.parse(l) as { msg?: string; jit?: string }).find((l) => l.msg === 'portcullis sidecar started');
    expect(started?.jit).toBe('normal');
    for (let i = 0; i < 50; i++) expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(200);
  });
});
