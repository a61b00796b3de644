import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { NORMAL_JIT_POLICY, restoreJitPolicy, START_UP_JIT_POLICY } from './jit-policy.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the JIT policy of start-up (ADR 38)', () => {
  it('puts the thresholds back to normal on Bun once started', () => {
    const scales: number[] = [];
    expect(restoreJitPolicy({ setJITPolicy: (scale) => scales.push(scale) })).toBe('normal');
    expect(scales).toEqual([NORMAL_JIT_POLICY]);
  });

  it('does nothing on Node, which has no such setting', () => {
    expect(restoreJitPolicy(undefined)).toBe('not-bun');
    expect(restoreJitPolicy({})).toBe('not-bun');
  });

  it('is the scale the Makefile and the Dockerfile compile the executable with', () => {
    for (const file of ['Makefile', 'sidecar/Dockerfile']) {
      const flags = /bun build sidecar\/dist\/main\.js [^\n]*/.exec(readFileSync(join(repoRoot, file), 'utf8'))?.[0] ?? '';
      expect(flags).toContain(`--compile-jit-policy=${START_UP_JIT_POLICY} `);
      // The executable does what its flags say: no .env or bunfig.toml from the folder it starts in.
      expect(flags).toContain('--no-compile-autoload-dotenv');
      expect(flags).toContain('--no-compile-autoload-bunfig');
    }
  });
});
