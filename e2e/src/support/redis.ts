// Redis (Debian's redis-server) as the shared limit store's peer: one fresh server per call on
// 127.0.0.1, no persistence, its data gone when it stops. redis-server cannot bind port 0 (that
// disables TCP), so a random high port is tried and another one when it is taken (the server exits
// with "Address already in use" before it is ready, so a port is never shared).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerTools } from './aws-peers-tools.js';
import { testPort } from './test-ports.js';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop), empty. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
  logTail(): string;
}

interface Running {
  child: ChildProcess;
  log: string;
}

function launch(bin: string, port: number, dir: string, password: string | undefined, timeoutMs: number): Promise<Running | 'port-taken'> {
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'notice'];
  if (password !== undefined) args.push('--requirepass', password);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Running = { child, log: '' };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not become ready within ${timeoutMs} ms:\n${run.log.slice(-2000)}`));
    }, timeoutMs);
    const onOutput = (chunk: Buffer): void => {
      run.log += chunk.toString();
      if (/Ready to accept connections/.test(run.log)) {
        clearTimeout(timer);
        resolve(run);
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', () => {
      clearTimeout(timer);
      if (/Address already in use/.test(run.log)) resolve('port-taken');
      else reject(new Error(`redis-server exited before it was ready:\n${run.log.slice(-2000)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startRedis(opts: { password?: string; startTimeoutMs?: number } = {}): Promise<RedisServer> {
  const bin = peerTools().redis;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-redis-'));
  const timeoutMs = opts.startTimeoutMs ?? 10_000;
  let running: Running | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 20 && !running; attempt++) {
    port = testPort();
    const r = await launch(bin, port, dir, opts.password, timeoutMs);
    if (r !== 'port-taken') running = r;
  }
  if (!running) throw new Error('redis-server found no free port in 20 attempts');
  let current: Running = running;
  return {
    host: '127.0.0.1',
    port,
    get pid() {
      return current.child.pid ?? 0;
    },
    async stop() {
      await stopChild(current.child);
    },
    async restart() {
      await stopChild(current.child);
      const r = await launch(bin, port, dir, opts.password, timeoutMs);
      if (r === 'port-taken') throw new Error(`redis port ${port} was taken while it was stopped`);
      current = r;
    },
    async close() {
      await stopChild(current.child);
      rmSync(dir, { recursive: true, force: true });
    },
    logTail: () => current.log.slice(-2000),
  };
}

