import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { systemClock, type Clock, type Timer } from './clock.js';
import { nodeFiles, type WatchedFile } from './files.js';

/** A clock whose `every` timers fire only when the test says so. */
function manualClock(): Clock & { fireEvery(): void } {
  const every: (() => void)[] = [];
  const real = systemClock();
  return {
    ...real,
    every: (_ms, fn): Timer => {
      every.push(fn);
      return { cancel: () => every.splice(every.indexOf(fn), 1) };
    },
    fireEvery: () => every.slice().forEach((fn) => fn()),
  };
}

const until = async (check: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

let dir: string;
let watched: WatchedFile | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-files-'));
});
afterEach(() => {
  watched?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nodeFiles().watch', () => {
  it("sees the kubelet's atomic swap of the ..data symlink in a Secret volume", async () => {
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'key'), 'one');
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'key'), join(dir, 'key'));
    let changes = 0;
    watched = nodeFiles(systemClock()).watch({ dir }, () => changes++);
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'key'), 'two');
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await until(() => changes > 0);
  });

  it('calls back on the fallback timer when the folder cannot be watched yet, and stops when closed', () => {
    const clock = manualClock();
    const errors: Error[] = [];
    let changes = 0;
    watched = nodeFiles(clock).watch({ dir: join(dir, 'not-mounted-yet'), fallbackMs: 1000, onWatchError: (e) => errors.push(e) }, () => changes++);
    expect(errors).toHaveLength(1);
    clock.fireEvery();
    expect(changes).toBe(1);
    watched.close();
    clock.fireEvery();
    expect(changes).toBe(1);
  });

  it('calls back once for a burst of writes when debounced, and only for the named file', async () => {
    let changes = 0;
    watched = nodeFiles(systemClock()).watch({ dir, name: 'config.yaml', debounceMs: 100 }, () => changes++);
    writeFileSync(join(dir, 'other.yaml'), 'x');
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'config.yaml'), `v${i}`);
    await until(() => changes > 0);
    await new Promise((r) => setTimeout(r, 250));
    expect(changes).toBe(1);
  });
});
