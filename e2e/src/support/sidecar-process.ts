import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The executable the image ships: Bun with the sidecar bundled in (`make build`, ADR 6). */
export const SIDECAR_BINARY = fileURLToPath(new URL('../../../sidecar/bin/portcullis-sidecar', import.meta.url));
/** The same program on Node, the previous runtime (benchmarks compare the two). */
const NODE_MAIN = fileURLToPath(new URL('../../../sidecar/dist/main.js', import.meta.url));

export type SidecarRuntime = 'shipped' | 'node';

/** How long stop() waits after SIGTERM: the default drain deadline (10 s) plus the log flush (2 s), and margin. */
const STOP_GRACE_MS = 20_000;

function command(runtime: SidecarRuntime, args: readonly string[]): [string, string[]] {
  if (runtime === 'node') return [process.execPath, [NODE_MAIN, ...args]];
  if (!existsSync(SIDECAR_BINARY)) throw new Error(`${SIDECAR_BINARY} is missing: run make build (it compiles the sidecar with Bun)`);
  return [SIDECAR_BINARY, [...args]];
}

/** The body of the admin server's /readyz (docs/sidecar.md, *Metrics and health*). */
export interface Readyz {
  readonly ready: boolean;
  readonly reasons: string[];
  readonly rejected: string[];
  readonly credentials: string[];
  /** Source ports listened on right now. */
  readonly ports: number[];
}

export interface SidecarProcess {
  readonly child: ChildProcess;
  readonly adminPort: number;
  /** Lines written so far: audit lines on stdout, operational logs on stderr. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** Peak resident memory (VmHWM) and current (VmRSS) in KiB, from /proc. */
  memoryKiB(): Promise<{ peak: number; current: number }>;
  /** GET /readyz on the admin port: the status and the JSON body. */
  readiness(): Promise<{ status: number; body: Readyz }>;
  /** GET /metrics on the admin port (Prometheus text). */
  metrics(): Promise<string>;
  /** SIGTERM; resolves with the exit code once the output pipes are closed (null: SIGKILL after 20 s). */
  stop(): Promise<number | null>;
}

export interface SidecarProcessOptions {
  /** Called with each line as it arrives (audit lines on stdout, JSON logs on stderr), besides `stdout`/`stderr`. */
  readonly onStdout?: (line: string) => void;
  readonly onStderr?: (line: string) => void;
  /** Added to this process's environment (a pod's downward-API variables, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** The working folder (default: this process's). */
  readonly cwd?: string;
}

function lines(into: string[], stream: NodeJS.ReadableStream, each: ((line: string) => void) | undefined): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    into.push(...parts);
    if (each) for (const part of parts) each(part);
  });
}

/**
 * Starts the sidecar executable the image ships (or, with runtime 'node', `node sidecar/dist/main.js`) and
 * waits for its start-up log line.
 */
export async function startSidecarProcess(
  args: readonly string[],
  timeoutMs = 15_000,
  runtime: SidecarRuntime = 'shipped',
  options: SidecarProcessOptions = {},
): Promise<SidecarProcess> {
  const [file, argv] = command(runtime, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env }, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
  const stdout: string[] = [];
  const stderr: string[] = [];
  if (!child.stdout || !child.stderr) throw new Error('sidecar process has no output pipes');
  lines(stdout, child.stdout, options.onStdout);
  lines(stderr, child.stderr, options.onStderr);
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
  const admin = `http://127.0.0.1:${port}`;
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
    async readiness() {
      const res = await fetch(`${admin}/readyz`);
      return { status: res.status, body: (await res.json()) as Readyz };
    },
    async metrics() {
      const res = await fetch(`${admin}/metrics`);
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
      return res.text();
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        // A sidecar that outlives its drain deadline (10 s) and log flush is stuck: kill it, and say so in
        // stderr, which callers that expect exit code 0 print (null: killed).
        const stuck = setTimeout(() => {
          stderr.push(`harness: still running ${STOP_GRACE_MS} ms after SIGTERM; sent SIGKILL`);
          child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        // 'close', not 'exit': the last lines on stdout/stderr may still be in flight when the process exits.
        child.once('close', (code) => {
          clearTimeout(stuck);
          resolve(code);
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/**
 * Waits until the sidecar's /readyz says ready and lists every one of `ports` (a source serves), as a
 * process outside sees it; throws with the last /readyz body and the logs after `timeoutMs`.
 */
export async function waitServing(sidecar: SidecarProcess, ports: readonly number[], timeoutMs: number): Promise<Readyz> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await sidecar.readiness();
    if (body.ready && ports.every((p) => body.ports.includes(p))) return body;
    if (sidecar.child.exitCode !== null) throw new Error(`sidecar exited with ${sidecar.child.exitCode}:\n${sidecar.stderr.join('\n')}`);
    if (Date.now() > deadline) {
      throw new Error(`sidecar not serving ${ports.join(', ')} after ${timeoutMs} ms: /readyz ${JSON.stringify(body)}\n${sidecar.stderr.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
