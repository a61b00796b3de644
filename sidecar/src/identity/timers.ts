/** A one-shot timer; the returned function cancels it. Injected so tests run on a virtual clock. */
export type SetTimer = (fn: () => void, delayMs: number) => () => void;

/** Real timers that never keep the process alive. */
export const realTimer: SetTimer = (fn, delayMs) => {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return () => clearTimeout(t);
};

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Settles like `promise`, or rejects with a TimeoutError after `ms`. The abandoned call is not aborted
 * (the API client ends its own connection after its idle timeout); its late result is ignored.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, setTimer: SetTimer): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = setTimer(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
