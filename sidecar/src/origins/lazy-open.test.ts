import { describe, expect, it, jest } from '@jest/globals';
import { PortcullisError } from '@portcullis/shared';
import { openLazily } from './lazy-open.js';
import type { Origin } from './origin.js';

const quietLog = () => ({ error: jest.fn() });

describe('openLazily', () => {
  it('fails the source closed when its code cannot be loaded: every get() throws CREDENTIAL_UNAVAILABLE and /readyz says why', async () => {
    const log = quietLog();
    const open = jest.fn<(m: unknown) => Origin<string>>();
    const missing = './no-such-origin/open.js';
    const origin = await openLazily('openai', 'OAuth2 origin', { log } as never, () => import(missing), open);
    expect(open).not.toHaveBeenCalled();
    let thrown: unknown;
    try {
      void origin.get();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PortcullisError);
    expect((thrown as PortcullisError).code).toBe('CREDENTIAL_UNAVAILABLE');
    expect((thrown as Error).message).toMatch(/^source openai: the sidecar could not load its OAuth2 origin code \(.+\); the sidecar executable is incomplete or damaged: reinstall/);
    expect(origin.problem()).toBe((thrown as Error).message);
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.error.mock.calls[0]?.[0]).toMatchObject({ source: 'openai', code: 'CREDENTIAL_UNAVAILABLE' });
    origin.close(); // nothing to release, and it does not throw
  });

  it('opens the origin from the loaded code, and lets an error of open itself through unchanged', async () => {
    const made: Origin<string> = { principal: {}, get: () => 'k', problem: () => undefined, close: () => undefined };
    expect(await openLazily('s', 'x', { log: quietLog() } as never, () => Promise.resolve({ made }), (m) => m.made)).toBe(made);
    const bad = new PortcullisError('CONFIG_INVALID', 'bad spec');
    await expect(
      openLazily('s', 'x', { log: quietLog() } as never, () => Promise.resolve({}), () => {
        throw bad;
      }),
    ).rejects.toBe(bad);
  });
});
