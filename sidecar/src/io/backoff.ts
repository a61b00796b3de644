/**
 * The wait before retry number `failures` (1 for the first retry): `initialMs` doubling up to `maxMs`.
 * Without jitter: each caller retries one thing of its own (a credential, a file), not a shared server.
 */
export function cappedBackoffMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}
