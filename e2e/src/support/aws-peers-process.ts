// Runs one peer server (MinIO, moto) as a child of the test process: output to a log file in its own
// temp folder, the listening URL read from that log, killed on stop() and when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail } from '../cluster/processes.js';

export interface PeerSpec {
  /** Names the temp folder and the log file, and appears in errors. */
  readonly name: string;
  readonly bin: string;
  /** Arguments; `dir` is the peer's own temp folder (data, certificates, log). */
  readonly args: (dir: string) => readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Finds the base URL (http://127.0.0.1:<port>) the peer printed once it was listening. */
  readonly listening: RegExp;
  /** True once the peer serves requests. */
  readonly ready: (url: string) => Promise<boolean>;
  /** A start-up failure whose message (with the log tail) matches this is retried: a port taken between pick and bind. */
  readonly retryWhen?: RegExp;
  readonly timeoutMs: number;
}

export interface PeerProcess {
  readonly url: string;
  readonly dir: string;
  readonly log: string;
  readonly pid: number;
  /** The log's last lines, for a failing test's message. */
  logTail(lines?: number): string;
  /** SIGTERM (SIGKILL after `graceMs`), then removes the temp folder; safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills what is still running when the test process exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

// setpriv --pdeathsig: the kernel kills the peer if the test process dies without running exit hooks
// (SIGKILL, OOM). util-linux ships it on Debian; without it the exit hook is all there is.
const SETPRIV = '/usr/bin/setpriv';

function exited(child: ChildProcess): Promise<void> {
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  const gone = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
    live.delete(child);
  }
}

function launch(spec: PeerSpec, dir: string, log: string): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    const [bin, args] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', spec.bin, ...spec.args(dir)]]
      : [spec.bin, [...spec.args(dir)]];
    const child = spawn(bin, args, { env: { ...spec.env }, stdio: ['ignore', fd, fd] });
    // Not holding the event loop: a peer whose start timed out in a hook must not keep jest alive;
    // the exit hook (and the parent-death signal) end it.
    child.unref();
    live.add(child);
    child.once('exit', () => live.delete(child));
    // A binary that cannot be started is reported as an 'error' event; note it where start-up looks.
    child.once('error', (err) => {
      live.delete(child);
      appendFileSync(log, `\nportcullis e2e: could not start ${spec.bin}: ${err.message}\n`);
    });
    return child;
  } finally {
    closeSync(fd);
  }
}

async function waitForUrl(spec: PeerSpec, child: ChildProcess, log: string): Promise<string> {
  const deadline = Date.now() + spec.timeoutMs;
  let url: string | undefined;
  let last = 'not listening yet';
  while (Date.now() < deadline) {
    const output = readFileSync(log, 'utf8');
    if (child.exitCode !== null || child.signalCode !== null || output.includes('portcullis e2e: could not start')) {
      const status = child.exitCode ?? child.signalCode ?? 'not started';
      throw new Error(`${spec.name} exited (${status}) during start-up; ${log}:\n${logTail(log)}`);
    }
    url ??= spec.listening.exec(output)?.[1];
    if (url !== undefined) {
      try {
        if (await spec.ready(url)) return url;
        last = `${url} not ready`;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    await sleep(100);
  }
  throw new Error(`${spec.name} not ready after ${spec.timeoutMs} ms (${last}); ${log}:\n${logTail(log)}`);
}

async function startOnce(spec: PeerSpec): Promise<PeerProcess> {
  const dir = mkdtempSync(join(tmpdir(), `portcullis-${spec.name}-`));
  const log = join(dir, `${spec.name}.log`);
  installExitHook();
  const child = launch(spec, dir, log);
  let stopped: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> =>
    (stopped ??= stopChild(child, graceMs).then(() => rmSync(dir, { recursive: true, force: true })));
  try {
    const url = await waitForUrl(spec, child, log);
    return { url, dir, log, pid: child.pid ?? -1, logTail: (lines) => logTail(log, lines), stop };
  } catch (err) {
    // Keep the folder: the error names the log, and its tail is in the message.
    await stopChild(child, 1000);
    throw Object.assign(err as Error, { peerDir: dir });
  }
}

/** Starts the peer; a failure matching `retryWhen` (a port race) is retried twice with a new folder. */
export async function startPeer(spec: PeerSpec): Promise<PeerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(spec);
    } catch (err) {
      const { message, peerDir } = err as Error & { peerDir?: string };
      if (attempt >= 3 || !spec.retryWhen?.test(message)) throw err;
      if (peerDir) rmSync(peerDir, { recursive: true, force: true });
    }
  }
}
