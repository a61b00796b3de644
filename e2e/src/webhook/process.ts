// The webhook as the cluster runs it: its compiled main.js in a child process, logs parsed from stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../webhook/dist/main.js', import.meta.url));

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface WebhookProcess {
  readonly port: number;
  readonly adminPort: number;
  readonly nativeSidecar: boolean;
  readonly logs: readonly LogLine[];
  /** Prometheus text from the admin port. */
  metrics(): Promise<string>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts `node webhook/dist/main.js args…` and waits for its "started" line (run `tsc -b` first). */
export async function startWebhookProcess(args: readonly string[], timeoutMs = 30_000): Promise<WebhookProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  let buffered = '';
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const started = new Promise<LogLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`webhook did not start in ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const parsed = JSON.parse(line) as LogLine;
          logs.push(parsed);
          if (parsed.msg === 'portcullis webhook started') {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          stderr.push(line);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`webhook exited with ${String(code)}: ${stderr.join('').slice(0, 2000)}`));
    });
  });
  let line: LogLine;
  try {
    line = await started;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const adminPort = Number(line.adminPort);
  return {
    port: Number(line.port),
    adminPort,
    nativeSidecar: line.nativeSidecar === true,
    logs,
    metrics: async () => (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text(),
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child, 10_000);
    },
  };
}

/** The value of one Prometheus sample, e.g. sample(text, 'portcullis_webhook_leader'); 0 when absent. */
export function sample(metrics: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
