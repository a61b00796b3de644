// The world of the framing tests: the strict recording upstream (plain and TLS), and the built sidecar as
// a standalone process with one bearer source for each, allowing /v1/** and denying /v1/forbidden/**.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearerSourceYaml, standaloneArgs, untilReady } from '../support/standalone-config.js';
import { startSidecarProcess, type SidecarProcess, type SidecarRuntime } from '../support/sidecar-process.js';
import type { AuditLine } from './invariants.js';
import { rawExchange, type RawAnswer } from './raw-exchange.js';
import { startRecordingUpstream, type RecordedConnection, type RecordingUpstream } from './recording-upstream.js';
import { testPort } from '../support/test-ports.js';

export const CREDENTIAL = 'framing-real-key-5f0c2d';
export const DENIED_PREFIX = '/v1/forbidden';

export interface CaseResult {
  readonly answer: RawAnswer;
  /** What the upstream received for this case and the ordinary request after it. */
  readonly connections: RecordedConnection[];
  /** Audit lines written for this case and the ordinary request after it. */
  readonly audit: AuditLine[];
  /** Status of the ordinary request sent after the case on the same source (same upstream pool). */
  readonly followUpStatus: number;
}

export interface FramingWorld {
  readonly ports: { readonly plain: number; readonly tls: number };
  readonly sidecar: SidecarProcess;
  readonly upstream: RecordingUpstream;
  /** Sends `bytes` raw to a source port, then one ordinary GET /v1/ok/after, and collects what happened. */
  run(port: number, bytes: Buffer): Promise<CaseResult>;
  close(): Promise<void>;
}

function resources(ports: { plain: number; tls: number }, upstream: RecordingUpstream): string {
  return `${bearerSourceYaml({ name: 'plain', port: ports.plain, upstream: upstream.plainUrl })}---
${bearerSourceYaml({ name: 'tls', port: ports.tls, upstream: upstream.tlsUrl, caPem: upstream.ca.certPem })}---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules:
    - {name: api, effect: Allow, source: plain, paths: ['/v1/**']}
    - {name: api-tls, effect: Allow, source: tls, paths: ['/v1/**']}
    - {name: forbidden, effect: Deny, source: plain, paths: ['${DENIED_PREFIX}/**']}
    - {name: forbidden-tls, effect: Deny, source: tls, paths: ['${DENIED_PREFIX}/**']}
`;
}

function ordinaryGet(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // A regression that leaves half a request on the upstream connection makes this one hang: give up early.
    const req = request({ host: '127.0.0.1', port, path: '/v1/ok/after', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startFramingWorld(runtime: SidecarRuntime = 'shipped'): Promise<FramingWorld> {
  const upstream = await startRecordingUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-framing-'));
  const base = testPort(2);
  const ports = { plain: base, tls: base + 1 };
  mkdirSync(join(dir, 'config'));
  for (const name of ['plain', 'tls']) {
    mkdirSync(join(dir, 'sources', name), { recursive: true });
    writeFileSync(join(dir, 'sources', name, 'key'), `${CREDENTIAL}\n`);
  }
  writeFileSync(join(dir, 'config/resources.yaml'), resources(ports, upstream));
  const sidecar = await startSidecarProcess(standaloneArgs(dir), 15_000, runtime);
  await untilReady(sidecar.adminPort);

  const auditSince = (from: number): AuditLine[] =>
    sidecar.stdout.slice(from).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AuditLine);

  return {
    ports,
    sidecar,
    upstream,
    async run(port, bytes) {
      await upstream.reset();
      const from = sidecar.stdout.length;
      const answer = await rawExchange(port, bytes);
      const followUpStatus = await ordinaryGet(port);
      // Audit lines are written when a response closes; the ordinary request's line comes last.
      for (let i = 0; i < 100 && !auditSince(from).some((a) => a.path === '/v1/ok/after'); i++) await sleep(10);
      return { answer, connections: await upstream.records(), audit: auditSince(from), followUpStatus };
    },
    async close() {
      await sidecar.stop();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
