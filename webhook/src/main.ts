// portcullis-webhook: the only place that reads flags, env, files and signals; everything else is
// built by buildWebhook(). Logs are JSON on stdout.
import { readFile } from 'node:fs/promises';
import { isPortcullisError } from '@portcullis/shared';
import { buildWebhook } from './app.js';
import { ConnectionReusingKubeConfig } from './kube/connection-reusing-kube-config.js';
import type { WebhookOptions } from './config/options.js';
import { FLAG_NAMES, parseOptions } from './config/parse.js';
import { createLogger } from './logger.js';
import { BatchedLines } from './logging/batched-lines.js';
import type { TlsMaterial } from './server/admission-server.js';

const USAGE = `usage: portcullis-webhook --namespace NS --sidecar-image IMAGE [options]
options (all take a value; see docs/webhook.md):
  ${FLAG_NAMES.map((f) => `--${f}`).join(' ')}`;

function kubeConfig(path: string | undefined): ConnectionReusingKubeConfig {
  const kc = new ConnectionReusingKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

function tlsFileReader(options: WebhookOptions): (() => Promise<TlsMaterial>) | undefined {
  const tls = options.tls;
  if (tls.mode !== 'files') return undefined;
  return async () => ({ certPem: await readFile(tls.certFile, 'utf8'), keyPem: await readFile(tls.keyFile, 'utf8') });
}

/**
 * Where log lines go: process.stdout, the lines of one event-loop turn in one write (BatchedLines). On a
 * pipe (a container's stdout) Node writes at once from the event loop and queues only while the pipe is
 * full, so a slow log reader never blocks admissions. pino.destination({ sync: false }) did the same
 * through libuv's thread pool: a thread hand-off and one more event-loop wake-up per line, 13 % of the
 * CPU of an admission served one at a time (measured with bench/src/webhook-profile.ts; bench/ANALYSIS.md
 * finding 9).
 */
function logDestination(): BatchedLines {
  let reported = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE: nobody reads the logs any more; say so once on stderr instead of crashing the webhook.
    if (reported) return;
    reported = true;
    process.stderr.write(`${JSON.stringify({ level: 'error', errno: err.code, msg: `stdout failed, log lines are lost: ${err.message}` })}\n`);
  });
  const lines = new BatchedLines(process.stdout, { schedule: (flush) => void setImmediate(flush), maxPendingChars: 64 * 1024 });
  // Lines of the last turn before an exit (a crash included) still go out: stdout is synchronous on a pipe or file.
  process.once('exit', () => lines.flush());
  return lines;
}

/** Exits once the log lines written so far have left stdout (a full pipe may still hold some), or after 2 s. */
function exitAfterLogs(lines: BatchedLines, code: number): void {
  const exit = (): void => process.exit(code);
  setTimeout(exit, 2000).unref();
  lines.flush();
  process.stdout.write('', exit);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let options: WebhookOptions;
  try {
    options = parseOptions(argv, process.env);
  } catch (err) {
    if (isPortcullisError(err)) {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', code: err.code, msg: err.message })}\n`);
      process.exit(2);
    }
    throw err;
  }
  const lines = logDestination();
  const log = createLogger(options.logLevel, lines);
  const readTlsFiles = tlsFileReader(options);
  const webhook = buildWebhook(options, { kubeConfig: kubeConfig(options.kubeconfig), log, ...(readTlsFiles ? { readTlsFiles } : {}) });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    webhook.stop().then(
      () => exitAfterLogs(lines, 0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'stop failed');
        exitAfterLogs(lines, 1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const started = await webhook.start();
  log.info({ ...started, namespace: options.namespace, identity: options.identity }, 'portcullis webhook started');
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'webhook failed to start', err: String(err) })}\n`);
  process.exit(1);
});
