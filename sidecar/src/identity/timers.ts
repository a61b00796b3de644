import { PortcullisError, type ErrorCode } from '@portcullis/shared';

/** A one-shot timer; the returned function cancels it. Injected so tests run on a virtual clock. */
export type SetTimer = (fn: () => void, delayMs: number) => () => void;

/** Real timers that never keep the process alive. */
export const realTimer: SetTimer = (fn, delayMs) => {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return () => clearTimeout(t);
};

/** A call without an answer in time; it carries the code of the caller's failed call (withTimeout). */
export class TimeoutError extends PortcullisError {
  override readonly name: string = 'TimeoutError';
}

/**
 * Settles like `promise`, or rejects with a TimeoutError after `ms`. The abandoned call is not aborted
 * (the API client ends its own connection after its idle timeout); its late result is ignored. `code` is
 * what the caller reports for a failed call (the identity watcher: IDENTITY_REVIEW_FAILED); it goes on the
 * TimeoutError and on a thrown non-Error, which becomes a PortcullisError with the same message
 * (`String(value)`) and the value as its cause. An Error passes through unchanged.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, code: ErrorCode, setTimer: SetTimer): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = setTimer(() => reject(new TimeoutError(code, `${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err instanceof Error ? err : new PortcullisError(code, String(err), { cause: err }));
      },
    );
  });
}
