/**
 * The executable starts with JavaScriptCore's JIT tier-up thresholds scaled up (`bun build
 * --compile-jit-policy`, see the Makefile): start-up code runs once, so compiling it is wasted work, and on
 * an idle sidecar that compiled code and the compilers' own pages were ~10 MiB of its resident memory
 * (ADR 38). Once the sidecar is ready, the thresholds go back to normal so that the request path is
 * compiled as soon as traffic makes it hot, exactly as before.
 */

/** The scale the Makefile and the Dockerfile build the executable with (`--compile-jit-policy`). */
export const START_UP_JIT_POLICY = 1000;
/** JavaScriptCore's own thresholds. */
export const NORMAL_JIT_POLICY = 1;

interface BunUnsafe {
  setJITPolicy?: (scale: number) => void;
}

/** Bun's `Bun.unsafe`, when this runs on Bun; undefined on Node (which has no such setting). */
function bunUnsafe(): BunUnsafe | undefined {
  return (globalThis as { Bun?: { unsafe?: BunUnsafe } }).Bun?.unsafe;
}

/**
 * Puts the JIT thresholds back to normal. Returns what it did, for the start-up log line: 'normal' on Bun,
 * 'not-bun' elsewhere (Node keeps V8's own tiering, which this setting never touched).
 */
export function restoreJitPolicy(unsafe: BunUnsafe | undefined = bunUnsafe()): 'normal' | 'not-bun' {
  if (unsafe?.setJITPolicy === undefined) return 'not-bun';
  unsafe.setJITPolicy(NORMAL_JIT_POLICY);
  return 'normal';
}
