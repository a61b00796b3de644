// The sidecar in standalone mode, in-process, for the AWS e2e suites: CredentialSources and
// EgressPolicies as YAML files, Secret files and the STS token file in a temp folder, audit lines and
// operational logs captured for assertions (and searched for secrets).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSidecar, createLogger, parseOptions, type AuditRecord, type Sidecar, nodeFiles, systemClock } from '@portcullis/sidecar';

// What main.ts makes for the sidecar process: the one clock and file access.
const clock = systemClock();
const files = nodeFiles(clock);

export const IDENTITY = { namespace: 'team-a', serviceAccount: 'agent', pod: 'agent-7f9c' } as const;
export const SESSION_NAME = `${IDENTITY.namespace}.${IDENTITY.serviceAccount}.${IDENTITY.pod}`;

export interface AwsSidecar {
  /** http://127.0.0.1:<port> of each source, by name. */
  url(source: string): string;
  readonly audit: AuditRecord[];
  /** Everything the sidecar logged and audited, for leak checks. */
  output(): string;
  stop(): Promise<void>;
}

/** A port below Linux's ephemeral range (32768+), so outgoing connections never hold it. */
export function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 12000);
}

type Resource = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

export function credentialSource(name: string, port: number, aws: Record<string, unknown>): Resource {
  return { kind: 'CredentialSource', metadata: { name }, spec: { type: 'aws', port, aws } };
}

export function egressPolicy(name: string, rules: Record<string, unknown>[]): Resource {
  return { kind: 'EgressPolicy', metadata: { name }, spec: { workloads: { serviceAccounts: [IDENTITY.serviceAccount] }, rules } };
}

export interface AwsSidecarOptions {
  /** The resources, given the port of the (one) source: a port someone else holds is replaced by another. */
  resources: (port: number) => Resource[];
  secrets?: Record<string, Record<string, string>>;
  stsToken?: string;
}

/** Starts the sidecar; when another process holds the chosen port, tries again with another. */
export async function startAwsSidecar(opts: AwsSidecarOptions): Promise<AwsSidecar> {
  for (let attempt = 1; ; attempt++) {
    const port = randomPort();
    const sidecar = await startOnce(opts, opts.resources(port));
    if (!sidecar.output().includes(`cannot listen on 127.0.0.1:${port}`)) return sidecar;
    await sidecar.stop();
    if (attempt === 5) throw new Error(`the sidecar could not listen on a port after ${attempt} attempts`);
  }
}

async function startOnce(opts: AwsSidecarOptions, resources: Resource[]): Promise<AwsSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-aws-'));
  mkdirSync(join(dir, 'config'));
  const docs = resources.map((r) => JSON.stringify({ apiVersion: 'portcullis.dev/v1alpha1', ...r }));
  writeFileSync(join(dir, 'config/resources.yaml'), docs.join('\n---\n'));
  for (const [source, keys] of Object.entries(opts.secrets ?? {})) {
    mkdirSync(join(dir, 'sources', source), { recursive: true });
    for (const [key, value] of Object.entries(keys)) writeFileSync(join(dir, 'sources', source, key), value);
  }
  writeFileSync(join(dir, 'sts-token'), opts.stsToken ?? 'no-token');
  const options = parseOptions(
    ['--standalone', '--config', join(dir, 'config'), '--identity', `${IDENTITY.namespace}/${IDENTITY.serviceAccount}/${IDENTITY.pod}`,
      '--secrets-dir', join(dir, 'sources'), '--sts-token-file', join(dir, 'sts-token'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1'],
    {},
  );
  let text = '';
  const audit: AuditRecord[] = [];
  const sidecar: Sidecar = buildSidecar(options, {
    clock,
    files,
    log: createLogger('info', { write: (s: string) => void (text += s) }),
    audit: { write: (line) => { text += line; audit.push(JSON.parse(line) as AuditRecord); } },
    defaultMetrics: false,
  });
  await sidecar.start();
  const ports = new Map(resources.filter((r) => r.kind === 'CredentialSource').map((r) => [r.metadata.name, r.spec.port as number]));
  for (let i = 0; ; i++) {
    if (sidecar.readiness().ready && [...ports.values()].every((p) => text.includes(`"port":${p}`))) break;
    if (i === 400) throw new Error(`the sidecar did not get ready: ${sidecar.readiness().reasons.join('; ')}\n${text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: (source) => `http://127.0.0.1:${ports.get(source) ?? 0}`,
    audit,
    output: () => text,
    async stop() {
      await sidecar.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
