// Starts e2e/src/framing/recording_upstream.py (h11, a strict HTTP/1.1 parser independent of Node's) and
// reads what it recorded: per connection the raw bytes received and every request parsed from them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@portcullis/shared/pki';
import { venvBin } from '../support/aws-peers-tools.js';

const SCRIPT = fileURLToPath(new URL('../../src/framing/recording_upstream.py', import.meta.url));

export interface RecordedRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface RecordedConnection {
  readonly id: number;
  readonly tls: boolean;
  readonly raw: Buffer;
  /** The h11 protocol error that ended the connection, if any. */
  readonly error: string | null;
  readonly requests: readonly RecordedRequest[];
}

export interface RecordingUpstream {
  readonly plainUrl: string;
  readonly tlsUrl: string;
  readonly ca: KeyPair;
  records(): Promise<RecordedConnection[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

interface WireConnection {
  id: number;
  tls: boolean;
  raw: string;
  error: string | null;
  requests: { method: string; target: string; headers: [string, string][]; body: string }[];
}

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'framing-corpus-ca', validitySeconds: 3600, now });
  const leaf = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 3600, now });
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-recording-'));
  writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
  writeFileSync(join(dir, 'key.pem'), leaf.keyPem);
  const child: ChildProcess = spawn(venvBin('python'), [SCRIPT, '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const ports = await new Promise<{ plain: number; tls: number; control: number }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`recording upstream did not start in 15 s:\n${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`recording upstream exited with ${code}:\n${stderr}`)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (line === undefined || !out.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { plain: number; tls: number; control: number });
    });
  });
  const control = `http://127.0.0.1:${ports.control}`;
  return {
    plainUrl: `http://127.0.0.1:${ports.plain}`,
    tlsUrl: `https://127.0.0.1:${ports.tls}`,
    ca,
    async records() {
      const body = (await (await fetch(`${control}/records`)).json()) as { connections: WireConnection[] };
      return body.connections.map((c) => ({
        id: c.id,
        tls: c.tls,
        raw: Buffer.from(c.raw, 'base64'),
        error: c.error,
        requests: c.requests.map((r) => ({ method: r.method, target: r.target, headers: r.headers, body: Buffer.from(r.body, 'base64') })),
      }));
    },
    async reset() {
      await fetch(`${control}/reset`, { method: 'POST' });
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The value of a header of a recorded request (names compared case-insensitively); undefined if absent. */
export function headerOf(r: RecordedRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  return r.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}
