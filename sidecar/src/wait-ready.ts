/**
 * `portcullis-sidecar wait-ready`: polls the sidecar's /readyz until it answers 200 or the deadline passes.
 * The regular-container fallback (API servers without native sidecars) runs it as the proxy container's
 * postStart hook, which holds the app containers until the proxy can serve. The image has no shell and no
 * Node, so the executable itself does the polling.
 */
export interface WaitReadyOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly probe: (url: string) => Promise<number>;
}

/** True once the probe answered 200 within the timeout. */
export async function waitReady(opts: WaitReadyOptions): Promise<boolean> {
  const deadline = opts.now() + opts.timeoutMs;
  for (;;) {
    const status = await opts.probe(opts.url).catch(() => 0);
    if (status === 200) return true;
    if (opts.now() >= deadline) return false;
    await opts.sleep(opts.intervalMs);
  }
}

/** Parses `wait-ready --port N [--timeout-seconds S]`; throws a RangeError naming the bad option. */
export function parseWaitReadyArgs(argv: readonly string[]): { port: number; timeoutMs: number } {
  let port: number | undefined;
  let timeoutSeconds = 120;
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = Number(argv[i + 1]);
    if (name === '--port' && Number.isInteger(value) && value > 0 && value < 65536) port = value;
    else if (name === '--timeout-seconds' && value > 0) timeoutSeconds = value;
    else throw new RangeError(`wait-ready: unknown option or bad value: ${name ?? ''} ${argv[i + 1] ?? ''}; usage: wait-ready --port N [--timeout-seconds S]`);
  }
  if (port === undefined) throw new RangeError('wait-ready: --port is required (the sidecar admin port)');
  return { port, timeoutMs: timeoutSeconds * 1000 };
}
