// Where the AWS peers' programs are, and how to run the venv's AWS clients (aws CLI, boto3) with a
// clean environment. e2e/scripts/install-peers.sh builds/installs them into .cache/ (the e2e global
// setup runs it through install-tools.sh; here it is a sub-second no-op that says where they are).
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface PeerTools {
  /** The MinIO server binary. */
  readonly minio: string;
  /** The Python venv with moto, boto3 and awscli (`bin/python`, `bin/aws`, `bin/moto_server`). */
  readonly venv: string;
  /** Debian's redis-server (shared limit counters). */
  readonly redis: string;
  /** Ory Hydra, the OAuth2 server of the oauth2-origin tests. */
  readonly hydra: string;
}

let tools: PeerTools | undefined;

/** Runs install-peers.sh once per process (progress on stderr; a no-op when cached). */
export function peerTools(): PeerTools {
  if (tools) return tools;
  const out = execFileSync('bash', [join(repoRoot, 'e2e/scripts/install-peers.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const value = (key: string): string => {
    const line = out.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`install-peers.sh printed no ${key}= line:\n${out}`);
    return line.slice(key.length + 1);
  };
  tools = { minio: value('minio'), venv: value('venv'), redis: value('redis'), hydra: value('hydra') };
  return tools;
}

/** A program of the venv: `aws`, `python`, `moto_server`, ... */
export function venvBin(name: string): string {
  return join(peerTools().venv, 'bin', name);
}

/** The repository file that starts moto_server with AWS-like handling of unsigned requests. */
export const MOTO_LAUNCHER = join(repoRoot, 'e2e/scripts/moto-server.py');

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AwsEnvOptions {
  readonly credentials?: AwsCredentials;
  readonly region?: string;
  /** AWS_ENDPOINT_URL: every service of boto3/aws CLI (and SDK v3) goes there. */
  readonly endpointUrl?: string;
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * A clean environment for an AWS client process (aws CLI, boto3): nothing from the developer's own
 * AWS_* variables, ~/.aws files or instance metadata; only what the test passes.
 */
export function awsEnv(opts: AwsEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_DEFAULT_REGION: opts.region ?? 'us-east-1',
    AWS_REGION: opts.region ?? 'us-east-1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  if (opts.endpointUrl !== undefined) env.AWS_ENDPOINT_URL = opts.endpointUrl;
  if (opts.credentials) {
    env.AWS_ACCESS_KEY_ID = opts.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = opts.credentials.secretAccessKey;
    if (opts.credentials.sessionToken !== undefined) env.AWS_SESSION_TOKEN = opts.credentials.sessionToken;
  }
  return { ...env, ...opts.extra };
}

export interface VenvResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a venv program (`aws`, `python`) with `env` (build it with awsEnv); never throws on a non-zero
 * exit, tests assert on `code`. `input` is written to stdin (e.g. a boto3 script for `python -`).
 */
export function runVenv(
  name: string,
  args: readonly string[],
  opts: { env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<VenvResult> {
  return new Promise((resolve) => {
    const child = execFile(
      venvBin(name),
      args,
      { env: opts.env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (err && typeof err.code !== 'number' ? err.message : '') });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}
