// Child processes of the bench: pinned to a core with taskset, their output kept (bounded) for error
// messages, their memory read from /proc. Every process the bench starts is stopped by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

const KEEP_LINES = 200;

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the first stdout/stderr line that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  memory(): Memory;
  stop(): Promise<void>;
}

export interface Memory {
  /** VmRSS: resident now. */
  readonly rssKiB: number;
  /** VmHWM: the peak resident size since the process started. */
  readonly peakKiB: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), peakKiB: kib('VmHWM') };
}

/** User + system CPU time a process has used so far, in seconds (/proc/<pid>/stat, 100 ticks per second). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ')': utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface SpawnOptions {
  /** CPU core for taskset; undefined: not pinned. */
  readonly core: number | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Drop stdout (e.g. the sidecar's audit lines at 20k rps): keeps the bench process off the hot core. */
  readonly ignoreStdout?: boolean;
  /**
   * Write stdout and stderr to this file instead (a peer that logs every request to stderr, like
   * iron-proxy): the bench process on the load core then reads none of it; tail() reads the file's end.
   */
  readonly logFile?: string;
}

function fileTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4000).split('\n').slice(-20).join('\n');
  } catch (err) {
    return `(no output: ${String(err)})`;
  }
}

export function spawnPinned(name: string, command: string, args: readonly string[], opts: SpawnOptions): Proc {
  const argv = opts.core === undefined ? [command, ...args] : ['taskset', '-c', String(opts.core), command, ...args];
  const fd = opts.logFile === undefined ? undefined : openSync(opts.logFile, 'a');
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: fd === undefined ? ['ignore', opts.ignoreStdout ? 'ignore' : 'pipe', 'pipe'] : ['ignore', fd, fd],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  if (fd !== undefined) closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${argv.join(' ')}`);
  const pid = child.pid;
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const onText = (stream: NodeJS.ReadableStream | null): void => {
    if (!stream) return;
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > KEEP_LINES) lines.shift();
        for (const w of waiters) w(line);
      }
    });
  };
  onText(child.stdout);
  onText(child.stderr);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => undefined);

  return {
    name,
    pid,
    child,
    tail: () => (opts.logFile === undefined ? lines.slice(-20).join('\n') : fileTail(opts.logFile)),
    waitForLine(match, timeoutMs) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${name}: no expected output in ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        const onExit = (): void => finish(new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${lines.slice(-20).join('\n')}`));
        const waiter = (line: string): void => {
          if (match(line)) finish(undefined, line);
        };
        function finish(err: Error | undefined, line?: string): void {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off('exit', onExit);
          if (err) reject(err);
          else resolve(line as string);
        }
        waiters.add(waiter);
        child.once('exit', onExit);
      });
    },
    memory: () => memoryOf(pid),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killed);
    },
  };
}

/** Runs a command to completion (pinned when `core` is set) and returns its stdout; throws on failure. */
export function run(command: string, args: readonly string[], opts: { core?: number; timeoutMs: number; input?: string }): Promise<string> {
  const argv = opts.core === undefined ? [command, ...args] : ['taskset', '-c', String(opts.core), command, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(stdout);
      else reject(new Error(`${argv.join(' ')} failed (${code ?? signal}): ${Buffer.concat(err).toString('utf8').slice(-2000)}`));
    });
    child.stdin.end(opts.input ?? '');
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
