// The sidecar in standalone mode for the AWS e2e suites, as the executable the image ships (issue 12):
// CredentialSources and EgressPolicies as YAML files, Secret files and the STS token file in a temp
// folder, audit lines (stdout) and operational logs (stderr) captured for assertions (and searched for
// secrets).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '@portcullis/sidecar';
import { startSidecarProcess } from '../support/sidecar-process.js';
import { testPort } from '../support/test-ports.js';

export const IDENTITY = { namespace: 'team-a', serviceAccount: 'agent', pod: 'agent-7f9c' } as const;
export const SESSION_NAME = `${IDENTITY.namespace}.${IDENTITY.serviceAccount}.${IDENTITY.pod}`;

export interface AwsSidecar {
  /** http://127.0.0.1:<port> of each source, by name. */
  url(source: string): string;
  readonly audit: AuditRecord[];
  /** Everything the sidecar logged and audited, for leak checks. */
  output(): string;
  /** With proxyMode: the HTTPS_PROXY port and the folder holding the pod CA's ca.crt and ca-bundle.crt. */
  readonly proxy: { readonly port: number; readonly caDir: string } | undefined;
  /** SIGTERM; throws unless the process exits 0. */
  stop(): Promise<void>;
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
  /** Also serve the HTTPS_PROXY port (on an ephemeral port) with a per-pod CA, as proxy-mode pods do. */
  proxyMode?: boolean;
}

/** Starts the sidecar; when another process holds the chosen port, tries again with another. */
export async function startAwsSidecar(opts: AwsSidecarOptions): Promise<AwsSidecar> {
  for (let attempt = 1; ; attempt++) {
    const port = testPort();
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
  const ports = new Map(resources.filter((r) => r.kind === 'CredentialSource').map((r) => [r.metadata.name, r.spec.port as number]));
  const audit: AuditRecord[] = [];
  const sidecar = await startSidecarProcess(
    ['--standalone', '--config', join(dir, 'config'), '--identity', `${IDENTITY.namespace}/${IDENTITY.serviceAccount}/${IDENTITY.pod}`,
      '--secrets-dir', join(dir, 'sources'), '--sts-token-file', join(dir, 'sts-token'),
      '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1',
      ...(opts.proxyMode ? ['--proxy-port', '0', '--proxy-ca-dir', join(dir, 'proxy-ca')] : [])],
    15_000,
    'shipped',
    { onStdout: (line) => void audit.push(JSON.parse(line) as AuditRecord) },
  );
  const output = (): string => [...sidecar.stdout, ...sidecar.stderr].join('\n');
  const started = sidecar.stderr.find((l) => l.includes('portcullis sidecar started'));
  const proxyPort = started === undefined ? undefined : (JSON.parse(started) as { proxyPort?: number }).proxyPort;
  const handle: AwsSidecar = {
    proxy: opts.proxyMode && proxyPort !== undefined ? { port: proxyPort, caDir: join(dir, 'proxy-ca') } : undefined,
    url: (source) => `http://127.0.0.1:${ports.get(source) ?? 0}`,
    audit,
    output,
    async stop() {
      const code = await sidecar.stop();
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`the sidecar exited with ${code} on SIGTERM:\n${sidecar.stderr.slice(-20).join('\n')}`);
    },
  };
  // Ready and listening on every source port, as /readyz says; a port held by another process shows in the log.
  for (let i = 0; ; i++) {
    const { body } = await sidecar.readiness();
    if (body.ready && [...ports.values()].every((p) => body.ports.includes(p))) return handle;
    if (output().includes('cannot listen on ')) return handle;
    if (i === 400) {
      await handle.stop();
      throw new Error(`the sidecar did not get ready: ${JSON.stringify(body)}\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
