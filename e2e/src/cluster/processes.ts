import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
}

/** A process this one started and still watches. */
export interface Launched extends Started {
  /** How it ended ("exit code 1", "signal SIGKILL"); undefined while it runs. */
  exitStatus(): string | undefined;
}

/** Starts a long-lived process detached from this one (it outlives a jest run), output to `log`. */
export function startDetached(name: string, bin: string, args: readonly string[], log: string): Launched {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${bin}); see ${log}`);
    let status: string | undefined;
    child.once('exit', (code, signal) => {
      status = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    child.unref();
    return { name, pid: child.pid, log, exitStatus: () => status };
  } finally {
    closeSync(fd);
  }
}

/** True when `pid` is alive and is running `name` (guards against a recycled pid). */
export function isRunning(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith(name) === true;
  } catch {
    return false;
  }
}

export function logTail(log: string, lines = 40): string {
  try {
    return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(no log at ${log}: ${(err as Error).message})`;
  }
}

/**
 * Polls `probe` until it returns true. Fails early, with the log's tail, when the process exits; fails
 * with the last probe error when `timeoutMs` passes. Exit is learnt from the child's own exit event, not
 * from /proc: between fork and exec the child still shows this process's command line, and a check by
 * name there reported a healthy etcd as "exited during start-up" on a loaded machine.
 */
export async function waitUntilHealthy(
  proc: Launched,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not probed yet';
  while (Date.now() < deadline) {
    const status = proc.exitStatus();
    if (status !== undefined) {
      throw new Error(`${proc.name} exited during start-up (${status}); last lines of ${proc.log}:\n${logTail(proc.log)}`);
    }
    try {
      if (await probe()) return;
      last = 'not ready';
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(
    `${proc.name} not healthy after ${timeoutMs} ms (${last}); last lines of ${proc.log}:\n${logTail(proc.log)}`,
  );
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once `alive()` says the process is gone. */
async function terminate(pid: number, alive: () => boolean, graceMs: number): Promise<void> {
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
  while (alive()) await sleep(50);
}

/** Stops a process recorded by pid and name (a previous run's); the name guards against a recycled pid. */
export function stopProcess(pid: number, name: string, graceMs = 10_000): Promise<void> {
  return terminate(pid, () => isRunning(pid, name), graceMs);
}

/**
 * Stops a process this one started. Its pid cannot have been recycled: the child is reaped only when
 * its exit event fires.
 */
export function stopLaunched(proc: Launched, graceMs = 10_000): Promise<void> {
  return terminate(proc.pid, () => proc.exitStatus() === undefined, graceMs);
}
