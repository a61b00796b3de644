import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { UnsecuredJWT } from 'jose';
import { MOUNT_PATHS, SIDECAR_DEFAULT_FILES } from '@portcullis/shared';
import { systemClock, type Clock } from '../io/clock.js';
import { nodeFiles } from '../io/files.js';
import { originTokenFile } from './origin-token.js';

const NOW = new Date('2026-12-07T06:00:00Z');
const clock: Clock = { ...systemClock(), now: () => NOW };
const jwt = (sub: string, expSeconds: number): string => new UnsecuredJWT({ sub }).setExpirationTime(expSeconds).encode();
const nowSeconds = NOW.getTime() / 1000;

describe('originTokenFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'origin-tokens-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What the kubelet does: the files live in a timestamped folder; `..data` points at it and each file is a symlink through `..data`. */
  function kubeletWrites(files: Record<string, string>, generation: number): void {
    const ts = join(dir, `..2026_12_07_${generation}`);
    mkdirSync(ts);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(ts, name), text);
    symlinkSync(`..2026_12_07_${generation}`, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(join('..data', name), join(dir, name));
      } catch {
        // already linked through ..data
      }
    }
  }

  it('reads the token of the source from <originTokensDir>/<source>, the file the webhook mounts', async () => {
    const token = jwt('system:serviceaccount:team-a:app', nowSeconds + 3600);
    kubeletWrites({ blob: `${token}\n` }, 1);
    const file = originTokenFile('blob', { originTokensDir: dir, files: nodeFiles(clock), clock });
    expect(file.path).toBe(join(dir, 'blob'));
    await expect(file.read()).resolves.toBe(token);
    expect(originTokenFile('blob', { originTokensDir: SIDECAR_DEFAULT_FILES.originTokensDir, files: nodeFiles(clock), clock }).path).toBe(`${MOUNT_PATHS.originTokens}/blob`);
  });

  it('reads the rotated token after the kubelet swaps ..data, without a restart', async () => {
    const first = jwt('first', nowSeconds + 3600);
    const second = jwt('second', nowSeconds + 7200);
    kubeletWrites({ blob: first }, 1);
    const file = originTokenFile('blob', { originTokensDir: dir, files: nodeFiles(clock), clock });
    await expect(file.read()).resolves.toBe(first);
    kubeletWrites({ blob: second }, 2);
    await expect(file.read()).resolves.toBe(second);
  });

  it('fails closed with ORIGIN_TOKEN_UNAVAILABLE naming the file and the volume when the token is missing', async () => {
    const err = (await originTokenFile('gcs', { originTokensDir: dir, files: nodeFiles(clock), clock }).read().catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('ORIGIN_TOKEN_UNAVAILABLE');
    expect(err.message).toContain(join(dir, 'gcs'));
    expect(err.message).toContain('portcullis-origin-tokens');
  });

  it('refuses an expired token (the kubelet stopped rotating) and never puts the token in the message', async () => {
    const stale = jwt('stale', nowSeconds - 60);
    kubeletWrites({ blob: stale }, 1);
    const err = (await originTokenFile('blob', { originTokensDir: dir, files: nodeFiles(clock), clock }).read().catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('ORIGIN_TOKEN_UNAVAILABLE');
    expect(err.message).toMatch(/expired at 2026-12-07T05:59:00.000Z/);
    expect(err.message).not.toContain(stale);
  });

  it('refuses a file that is not a JWT and an empty one', async () => {
    kubeletWrites({ a: 'not-a-jwt', b: '\n' }, 1);
    const deps = { originTokensDir: dir, files: nodeFiles(clock), clock };
    await expect(originTokenFile('a', deps).read()).rejects.toMatchObject({ code: 'ORIGIN_TOKEN_UNAVAILABLE', message: expect.stringContaining('is not a JWT') });
    await expect(originTokenFile('b', deps).read()).rejects.toMatchObject({ code: 'ORIGIN_TOKEN_UNAVAILABLE', message: expect.stringContaining('is empty') });
  });
});
