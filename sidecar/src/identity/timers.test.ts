import { describe, expect, it } from '@jest/globals';
import { PortcullisError } from '@portcullis/shared';
import { TimeoutError, withTimeout, type SetTimer } from './timers.js';

/** A timer that fires only when the test says so. */
function manualTimer(): { setTimer: SetTimer; fire: () => void; cancelled: () => boolean } {
  let fn: (() => void) | undefined;
  let cancelled = false;
  return {
    setTimer: (f) => {
      fn = f;
      return () => (cancelled = true);
    },
    fire: () => fn?.(),
    cancelled: () => cancelled,
  };
}

describe('withTimeout', () => {
  it('rejects with a coded TimeoutError naming the call when no answer comes in time', async () => {
    const timer = manualTimer();
    const p = withTimeout(new Promise<never>(() => undefined), 5000, 'TokenReview', 'IDENTITY_REVIEW_FAILED', timer.setTimer);
    timer.fire();
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toBeInstanceOf(PortcullisError);
    expect(err).toMatchObject({ code: 'IDENTITY_REVIEW_FAILED', name: 'TimeoutError', message: 'TokenReview: no answer within 5000 ms' });
  });

  it('turns a thrown non-Error into a coded error with the same message and the value as cause', async () => {
    const timer = manualTimer();
    const thrown = { toString: () => 'socket hang up' };
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a careless peer does
    const err = await withTimeout(Promise.reject(thrown), 5000, 'TokenReview', 'IDENTITY_REVIEW_FAILED', timer.setTimer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortcullisError);
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'IDENTITY_REVIEW_FAILED', message: 'socket hang up', cause: thrown });
    expect(timer.cancelled()).toBe(true);
  });

  it('passes an Error through unchanged and cancels the timer', async () => {
    const timer = manualTimer();
    const original = new TypeError('fetch failed');
    await expect(withTimeout(Promise.reject(original), 5000, 'TokenReview', 'IDENTITY_REVIEW_FAILED', timer.setTimer)).rejects.toBe(original);
    expect(timer.cancelled()).toBe(true);
  });

  it('resolves with the answer and cancels the timer', async () => {
    const timer = manualTimer();
    await expect(withTimeout(Promise.resolve(42), 5000, 'TokenReview', 'IDENTITY_REVIEW_FAILED', timer.setTimer)).resolves.toBe(42);
    expect(timer.cancelled()).toBe(true);
  });
});
