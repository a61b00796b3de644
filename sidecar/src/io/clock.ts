/** A timer armed through a Clock; cancel() is safe to call more than once. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the sidecar sees it: wall time for timestamps and expiries, a monotonic counter for durations,
 * and timers. main.ts makes the one real clock; tests pass their own. Members are plain functions, so
 * they can be passed on alone (`clock.now`).
 */
export interface Clock {
  /** Wall-clock time (audit timestamps, credential expiry, SigV4 dates). */
  readonly now: () => Date;
  /** Milliseconds from an arbitrary start that never goes back (durations). */
  readonly monotonicMs: () => number;
  /** Calls `fn` once after `delayMs`; the timer never keeps the process alive. */
  readonly after: (delayMs: number, fn: () => void) => Timer;
  /** Calls `fn` every `intervalMs` until cancelled; never keeps the process alive. */
  readonly every: (intervalMs: number, fn: () => void) => Timer;
}

/** The real clock (Date, performance.now, unref'd Node timers). */
export function systemClock(): Clock {
  return {
    now: () => new Date(),
    monotonicMs: () => performance.now(),
    after: (delayMs, fn) => {
      const t = setTimeout(fn, delayMs);
      t.unref();
      return { cancel: () => clearTimeout(t) };
    },
    every: (intervalMs, fn) => {
      const t = setInterval(fn, intervalMs);
      t.unref();
      return { cancel: () => clearInterval(t) };
    },
  };
}
