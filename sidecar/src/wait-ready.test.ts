import { describe, expect, it } from '@jest/globals';
import { parseWaitReadyArgs, waitReady } from './wait-ready.js';

function clock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0;
  return { now: () => t, sleep: (ms) => ((t += ms), Promise.resolve()) };
}

describe('wait-ready', () => {
  it('returns once /readyz answers 200', async () => {
    const answers = [0, 503, 503, 200];
    let calls = 0;
    const ok = await waitReady({ url: 'u', timeoutMs: 10_000, intervalMs: 250, ...clock(), probe: () => Promise.resolve(answers[calls++] ?? 200) });
    expect(ok).toBe(true);
    expect(calls).toBe(4);
  });

  it('gives up at the deadline when the sidecar never becomes ready', async () => {
    let calls = 0;
    const ok = await waitReady({ url: 'u', timeoutMs: 1000, intervalMs: 250, ...clock(), probe: () => (calls++, Promise.reject(new TypeError('refused'))) });
    expect(ok).toBe(false);
    expect(calls).toBe(5);
  });

  it('parses the port and timeout and refuses anything else', () => {
    expect(parseWaitReadyArgs(['--port', '15190'])).toEqual({ port: 15190, timeoutMs: 120_000 });
    expect(parseWaitReadyArgs(['--port', '1', '--timeout-seconds', '5'])).toEqual({ port: 1, timeoutMs: 5000 });
    expect(() => parseWaitReadyArgs([])).toThrow(/--port is required/);
    expect(() => parseWaitReadyArgs(['--port', '70000'])).toThrow(/bad value: --port 70000/);
    expect(() => parseWaitReadyArgs(['--host', 'x'])).toThrow(/unknown option/);
  });
});
