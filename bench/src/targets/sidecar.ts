// The real sidecar as a process (`node sidecar/dist/main.js --standalone`), pinned to the proxy core, fed
// with CredentialSource/EgressPolicy YAML and Secret files exactly as the standalone mode reads them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForHttp } from '../lib/http.ts';
import { spawnPinned, type Proc } from '../lib/procs.ts';
import type { AwsKeys } from '../sigv4/sign.ts';

/** What the image ships: the Bun executable (ADR 6). `make build` makes it. */
export const SIDECAR_MAIN = 'sidecar/bin/portcullis-sidecar';
/** The same program on Node, the previous runtime: the young-generation variant runs it (a V8 setting). */
export const SIDECAR_NODE_MAIN = 'sidecar/dist/main.js';

/** The command that runs `main` with `args`: a .js file on this Node, anything else as an executable. */
export function sidecarCommand(main: string, args: readonly string[]): [string, string[]] {
  return main.endsWith('.js') ? [process.execPath, [main, ...args]] : [main, [...args]];
}
export const IDENTITY = 'bench/agent/agent-0';

export interface SidecarSetup {
  readonly kind: 'bearer' | 'sigv4';
  readonly port: number;
  readonly upstreamPort: number;
  readonly bearerKey: string;
  readonly aws: AwsKeys;
  /** More sidecar flags (e.g. --young-generation-mib 2). */
  readonly extraArgs?: readonly string[];
}

/** A policy like a real one: a few rules, the allowing one not first. */
function bearerResources(s: SidecarSetup): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: api}
spec:
  type: http
  port: ${s.port}
  http:
    upstream: http://127.0.0.1:${s.upstreamPort}
    allowPlaintextUpstream: true
    injection: {type: Bearer}
    secretRef: {name: api-key, key: key}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules:
    - {name: no-admin, effect: Deny, source: api, paths: ["/admin/**"]}
    - {name: models, effect: Allow, source: api, methods: [GET], paths: ["/v1/models", "/v1/models/*"]}
    - {name: bench, effect: Allow, source: api, methods: [GET, PUT], paths: ["/bytes/*", "/sink/**", "/sse"]}
`;
}

function sigv4Resources(s: SidecarSetup): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: aws}
spec:
  type: aws
  port: ${s.port}
  aws:
    endpoint: http://127.0.0.1:${s.upstreamPort}
    allowPlaintextEndpoint: true
    staticKeys: {secretRef: {name: aws-keys}}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules:
    - {name: no-delete, effect: Deny, source: aws, actions: ["dynamodb:Delete*", "s3:Delete*"]}
    - {name: dynamo-read, effect: Allow, source: aws, actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem"], resources: ["arn:aws:dynamodb:*:*:table/bench"]}
    - {name: s3-put, effect: Allow, source: aws, actions: ["s3:PutObject"], resources: ["arn:aws:s3:::bench/*"]}
`;
}

/** Writes config/ and sources/ for one sidecar under `dir`. */
export function writeSidecarFiles(dir: string, s: SidecarSetup): void {
  mkdirSync(join(dir, 'config'), { recursive: true });
  if (s.kind === 'bearer') {
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    writeFileSync(join(dir, 'sources/api/key'), s.bearerKey);
    writeFileSync(join(dir, 'config/resources.yaml'), bearerResources(s));
  } else {
    mkdirSync(join(dir, 'sources/aws'), { recursive: true });
    writeFileSync(join(dir, 'sources/aws/AWS_ACCESS_KEY_ID'), s.aws.accessKeyId);
    writeFileSync(join(dir, 'sources/aws/AWS_SECRET_ACCESS_KEY'), s.aws.secretAccessKey);
    writeFileSync(join(dir, 'config/resources.yaml'), sigv4Resources(s));
  }
}

export function sidecarArgs(dir: string, main = SIDECAR_MAIN): string[] {
  return [
    main, '--standalone', '--config', join(dir, 'config'), '--identity', IDENTITY, '--secrets-dir', join(dir, 'sources'),
    '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', '--log-level', 'info',
  ];
}

export interface RunningSidecar {
  readonly proc: Proc;
  readonly adminPort: number;
  readonly port: number;
  /** ms from spawn to the start-up log line, to /readyz 200. */
  readonly startedMs: number;
  readonly readyMs: number;
}

/**
 * Starts a sidecar (audit lines on stdout go to /dev/null: the sidecar still formats and writes every
 * one) and waits until /readyz answers 200.
 */
export async function startSidecar(dir: string, s: SidecarSetup, core: number, main = SIDECAR_MAIN): Promise<RunningSidecar> {
  if (!existsSync(main)) throw new Error(`${main} is missing: run make build first`);
  writeSidecarFiles(dir, s);
  const t0 = performance.now();
  const [file, args] = sidecarCommand(main, [...sidecarArgs(dir, main).slice(1), ...(s.extraArgs ?? [])]);
  const proc = spawnPinned(`sidecar-${s.kind}`, file, args, { core, ignoreStdout: true });
  const line = await proc.waitForLine((l) => l.includes('portcullis sidecar started'), 15_000);
  const startedMs = performance.now() - t0;
  const adminPort = (JSON.parse(line) as { adminPort: number }).adminPort;
  await waitForHttp(`http://127.0.0.1:${adminPort}/readyz`, 15_000, proc);
  return { proc, adminPort, port: s.port, startedMs, readyMs: performance.now() - t0 };
}
