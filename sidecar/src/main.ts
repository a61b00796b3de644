// portcullis-sidecar: the only place that reads flags, env, files and signals; everything else is built
// by buildSidecar(). Audit lines go to stdout, operational logs to stderr.
import { lookup } from 'node:dns/promises';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { isIP } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { pino, type Logger } from 'pino';
import { isPortcullisError } from '@portcullis/shared';
import { buildSidecar } from './app.js';
import { parseDownwardLabels } from './config/labels-file.js';
import type { SidecarOptions } from './config/options.js';
import { parseOptions } from './config/parse.js';
import { systemClock } from './io/clock.js';
import { nodeFiles } from './io/files.js';
import { sidecarKubeClient } from './kube-client.js';
import type { RedisLimitStore } from './limits/redis/redis-store.js';
import { createLogger } from './logger.js';
import { restoreJitPolicy } from './runtime/jit-policy.js';
import { parseWaitReadyArgs, waitReady } from './wait-ready.js';

const USAGE = `usage:
  portcullis-sidecar wait-ready --port ADMIN_PORT [--timeout-seconds 120]
  portcullis-sidecar [--namespace NS] [--sources a,b] [--kubeconfig FILE | --api-server URL]
  portcullis-sidecar --standalone --config <dir|file> --identity ns/serviceaccount/pod[/uid] [--labels k=v,...]
options: --identity-token-file, --api-token-file, --api-ca-file, --labels-file, --secrets-dir, --sts-token-file,
  --vault-jwt-file, --vault-token-file,
  --listen-addresses, --proxy-port, --proxy-ca-dir, --admin-address, --admin-port, --upstream-response-timeout-seconds,
  --websocket-idle-timeout-seconds, --drain-timeout-seconds,
  --credential-poll-interval-seconds, --identity-review-interval-seconds, --log-level, --young-generation-mib,
  --redis-address host:port, --redis-tls, --redis-ca-file, --redis-username, --redis-password-file
  (see docs/sidecar.md)`;

function readLabels(file: string): Record<string, string> {
  try {
    return parseDownwardLabels(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/**
 * Resolves once `dest` has written all it holds, including a line an asynchronous write is still carrying
 * (flushSync() leaves that one to its write, which process.exit can cut off: the 'stopping' line went
 * missing so under load), or after 2 s. stdout and stderr stay open.
 */
function drained(dest: ReturnType<typeof pino.destination>): Promise<void> {
  return new Promise((resolve) => {
    // A timer that keeps the process alive: the exit code is process.exit's, never a natural exit's.
    const timer = setTimeout(resolve, 2_000);
    dest.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    dest.end();
  });
}

/** `portcullis-sidecar wait-ready --port N`: exit 0 once /readyz answers 200, 1 at the timeout, 2 on bad args. */
async function waitReadyCommand(argv: readonly string[]): Promise<void> {
  let args;
  try {
    args = parseWaitReadyArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const ready = await waitReady({
    url: `http://127.0.0.1:${args.port}/readyz`,
    timeoutMs: args.timeoutMs,
    intervalMs: 250,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    probe: (url) => fetch(url).then((r) => r.status),
  });
  process.exit(ready ? 0 : 1);
}

/** A file of the Redis Secret; undefined when the kubelet has not mounted it (the Secret is optional). */
function readOptional(file: string | undefined): string | undefined | null {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The shared limit store; its password and CA are read from files mounted into the sidecar only. A
 * missing file (the Secret does not exist in the namespace) leaves the sidecar without Redis: shared
 * limits then fail closed, and the rest of the sidecar serves. The Redis client (ioredis, ~400 KB of
 * bundled code) is loaded only here, when --redis-address is set: a sidecar without it never pays for it
 * in memory or start-up (ADR 38).
 */
async function openRedis(o: NonNullable<SidecarOptions['redis']>, log: Logger): Promise<RedisLimitStore | undefined> {
  const password = readOptional(o.passwordFile);
  const caPem = readOptional(o.caFile);
  if (password === null || caPem === null) {
    log.error({ code: 'LIMIT_STORE_UNAVAILABLE', file: password === null ? o.passwordFile : o.caFile }, 'redis: the password or CA file is missing (is the Secret in this namespace?); ServiceAccount- and Namespace-scope limits fail closed');
    return undefined;
  }
  const { RedisLimitStore } = await import('./limits/redis/redis-store.js');
  const store = new RedisLimitStore({
    host: o.host,
    port: o.port,
    tls: o.tls,
    caPem,
    username: o.username,
    password: password?.replace(/\r?\n$/, ''),
    commandTimeoutMs: 500,
  });
  // One line per outage: the client reconnects with backoff and would repeat the same error.
  let down = false;
  const lost = (err?: Error): void => {
    if (down) return;
    down = true;
    log.error({ redis: `${o.host}:${o.port}`, code: 'LIMIT_STORE_UNAVAILABLE', err: err?.message ?? 'connection closed' }, 'redis: unreachable; shared budgets fail closed until it is back');
  };
  store.on('ready', () => {
    down = false;
    log.info({ redis: `${o.host}:${o.port}`, tls: o.tls }, 'redis: connected; shared limits are counted');
  });
  store.on('error', lost);
  store.on('close', () => lost());
  return store;
}

/** The API server's addresses the HTTPS_PROXY port guards: the in-cluster service IP and the URL's host if an IP. */
function apiServerAddresses(options: SidecarOptions, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  if (env.KUBERNETES_SERVICE_HOST) out.push(env.KUBERNETES_SERVICE_HOST);
  const api = options.mode.kind === 'cluster' ? options.mode.api : undefined;
  if (api?.kind === 'token') {
    const host = new URL(api.server).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) out.push(host);
  }
  return out;
}

/**
 * Writes the pod CA's certificate and a bundle (system roots + the pod CA) for the apps, each through a
 * rename so an app never reads half a file. The CA's key stays in memory: nothing here can write it.
 */
function writeProxyCa(dir: string, caPem: string | undefined): void {
  if (caPem === undefined) return;
  mkdirSync(dir, { recursive: true });
  const put = (name: string, text: string): void => {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, join(dir, name));
  };
  put('ca.crt', caPem);
  put('ca-bundle.crt', `${rootCertificates.join('\n')}\n${caPem}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'wait-ready') return waitReadyCommand(argv.slice(1));
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const errors = pino.destination({ dest: 2, sync: true });
  let options;
  try {
    options = parseOptions(argv, process.env);
  } catch (err) {
    if (isPortcullisError(err)) {
      errors.write(`${JSON.stringify({ level: 'fatal', code: err.code, msg: err.message })}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logDestination = pino.destination({ dest: 2, sync: false });
  const log = createLogger(options.logLevel, logDestination);
  // The image runs the sidecar on Bun (ADR 6); `node sidecar/dist/main.js` still works.
  const runtime = process.versions.bun === undefined ? `node ${process.versions.node}` : `bun ${process.versions.bun}`;
  if (options.youngGenerationMiB !== undefined) {
    // Before the heap grows under load; V8 reads the cap whenever it resizes the young generation.
    if (process.versions.bun === undefined) setFlagsFromString(`--scavenger-max-new-space-capacity-mb=${options.youngGenerationMiB}`);
    else log.warn({ youngGenerationMiB: options.youngGenerationMiB, runtime }, '--young-generation-mib sets a V8 heap limit; Bun (JavaScriptCore) has no such setting, so it is ignored');
  }
  const audit = pino.destination({ dest: 1, sync: false, minLength: 0 });
  const cluster = options.mode.kind === 'cluster' ? options.mode : undefined;
  // The one clock and the one file access of the process; everything below gets them passed in.
  const clock = systemClock();
  const files = nodeFiles(clock);
  const redis = options.redis ? await openRedis(options.redis, log) : undefined;
  const sidecar = buildSidecar(options, {
    log,
    audit,
    clock,
    files,
    ...(redis ? { sharedLimitStore: redis } : {}),
    lookup: (host) => lookup(host, { all: true }),
    // node-forge is loaded only for proxy mode: pods on source ports alone do not pay for it.
    ...(options.proxyPort !== undefined ? { pki: await import('@portcullis/shared/pki') } : {}),
    apiServerAddresses: apiServerAddresses(options, process.env),
    ...(cluster ? { kube: await sidecarKubeClient(cluster.api, files), labels: readLabels(cluster.labelsFile) } : {}),
  });

  let stopping = false;
  const exit = async (code: number): Promise<void> => {
    await Promise.all([drained(audit), drained(logDestination)]);
    process.exit(code);
  };
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    sidecar.stop().then(async () => redis?.close()).then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        return exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await sidecar.start();
  writeProxyCa(options.proxyCaDir, sidecar.caCertPem());
  // Start-up ran with the JIT thresholds raised (ADR 38); from here the request path tiers up as usual.
  const jit = restoreJitPolicy();
  const admin = sidecar.adminAddress();
  log.info({ adminPort: admin.port, proxyPort: sidecar.proxyAddress()?.port, mode: options.mode.kind, runtime, jit, youngGenerationMiB: options.youngGenerationMiB }, 'portcullis sidecar started');
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'sidecar failed to start', err: String(err) })}\n`);
  process.exit(1);
});
