// portcullis-webhook: the only place that reads flags, env, files and signals; everything else is
// built by buildWebhook(). Logs are JSON on stdout.
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { isPortcullisError } from '@portcullis/shared';
import { pino } from 'pino';
import { buildWebhook } from './app.js';
import type { WebhookOptions } from './config/options.js';
import { FLAG_NAMES, parseOptions } from './config/parse.js';
import { createLogger } from './logger.js';
import type { TlsMaterial } from './server/admission-server.js';

const USAGE = `usage: portcullis-webhook --namespace NS --sidecar-image IMAGE [options]
options (all take a value; see docs/webhook.md):
  ${FLAG_NAMES.map((f) => `--${f}`).join(' ')}`;

function kubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

function tlsFileReader(options: WebhookOptions): (() => Promise<TlsMaterial>) | undefined {
  const tls = options.tls;
  if (tls.mode !== 'files') return undefined;
  return async () => ({ certPem: await readFile(tls.certFile, 'utf8'), keyPem: await readFile(tls.keyFile, 'utf8') });
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
  const log = createLogger(options.logLevel, pino.destination({ dest: 1, sync: false }));
  const readTlsFiles = tlsFileReader(options);
  const webhook = buildWebhook(options, { kubeConfig: kubeConfig(options.kubeconfig), log, ...(readTlsFiles ? { readTlsFiles } : {}) });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    webhook.stop().then(
      () => {
        log.flush();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err: String(err) }, 'stop failed');
        log.flush();
        process.exit(1);
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
