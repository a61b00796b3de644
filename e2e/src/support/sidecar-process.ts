import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The executable the image ships: Bun with the sidecar bundled in (`make build`, ADR 6). */
export const SIDECAR_BINARY = fileURLToPath(new URL('../../../sidecar/bin/portcullis-sidecar', import.meta.url));
/** The same program on Node, the previous runtime (benchmarks compare the two). */
const NODE_MAIN = fileURLToPath(new URL('../../../sidecar/dist/main.js', import.meta.url));

export type SidecarRuntime = 'shipped' | 'node';

function command(runtime: SidecarRuntime, args: readonly string[]): [string, string[]] {
  if (runtime === 'node') return [process.execPath, [NODE_MAIN, ...args]];
  if (!existsSync(SIDECAR_BINARY)) throw new Error(`${SIDECAR_BINARY} is missing: run make build (it compiles the sidecar with Bun)`);
  return [SIDECAR_BINARY, [...args]];
}

export interface SidecarProcess {
  readonly child: ChildProcess;
  readonly adminPort: number;
  /** Lines written so far: audit lines on stdout, operational logs on stderr. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Peak resident memory (VmHWM) and current (VmRSS) in KiB, from /proc. */
  memoryKiB(): Promise<{ peak: number; current: number }>;
  stop(): Promise<number | null>;
}

function lines(into: string[], stream: NodeJS.ReadableStream): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    into.push(...parts);
  });
}

/**
 * Starts the sidecar executable the image ships (or, with runtime 'node', `node sidecar/dist/main.js`) and
 * waits for its start-up log line.
 */
export async function startSidecarProcess(args: readonly string[], timeoutMs = 15_000, runtime: SidecarRuntime = 'shipped'): Promise<SidecarProcess> {
  const [file, argv] = command(runtime, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  if (!child.stdout || !child.stderr) throw new Error('sidecar process has no output pipes');
  lines(stdout, child.stdout);
  lines(stderr, child.stderr);
  const deadline = Date.now() + timeoutMs;
  let adminPort: number | undefined;
  while (adminPort === undefined) {
    if (child.exitCode !== null) throw new Error(`sidecar exited with ${child.exitCode}:\n${stderr.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`sidecar did not start in ${timeoutMs} ms:\n${stderr.join('\n')}`);
    for (const line of stderr) {
      if (line.includes('portcullis sidecar started')) adminPort = (JSON.parse(line) as { adminPort: number }).adminPort;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const port = adminPort;
  return {
    child,
    adminPort: port,
    stdout,
    stderr,
    async memoryKiB() {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
      return { peak: kib('VmHWM'), current: kib('VmRSS') };
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        // 'close', not 'exit': the last lines on stdout/stderr may still be in flight when the process exits.
        child.once('close', (code) => resolve(code));
        child.kill('SIGTERM');
      });
    },
  };
}
