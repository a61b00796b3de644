// The HTTPS_PROXY port of the shipped sidecar executable (Bun), driven by curl as an unchanged app would
// use it: tunnels to an allowed host, a denied tunnel, SSRF attempts, and absolute-form http://.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditRecord } from '@portcullis/sidecar';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';

const run = promisify(execFile);

let dir: string;
let tls: Server;
let plain: Server;
let tlsPort: number;
let plainPort: number;
let sidecar: SidecarProcess;
let proxyPort: number;
const audit: AuditRecord[] = [];

/** curl through the sidecar as HTTPS_PROXY; returns the status curl saw (the proxy's for a refused CONNECT) and the body. */
async function curl(url: string, extra: string[] = []): Promise<{ code: number; body: string; proxyHeaders: string; exit: number }> {
  const headerFile = join(dir, `h-${Math.random().toString(36).slice(2)}`);
  try {
    const { stdout } = await run('curl', ['-sS', '--max-time', '10', '--cacert', join(dir, 'ca.pem'), '-D', headerFile, '-w', '\n%{http_code} %{http_connect}', ...extra, url], {
      env: { ...process.env, HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: '' },
    });
    const lines = stdout.split('\n');
    const [code, connect] = (lines.pop() ?? '').split(' ').map(Number);
    return { code: code || (connect ?? 0), body: lines.join('\n'), proxyHeaders: readFileSync(headerFile, 'utf8'), exit: 0 };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    const lines = e.stdout.split('\n');
    const [code, connect] = (lines.pop() ?? '').split(' ').map(Number);
    return { code: code || (connect ?? 0), body: lines.join('\n'), proxyHeaders: existsSync(headerFile) ? readFileSync(headerFile, 'utf8') : '', exit: e.code };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-proxy-'));
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'e2e upstream CA', validitySeconds: 3600, now });
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  const leaf = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], usages: ['server'], validitySeconds: 3600, now });
  tls = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => res.end(`hello over tls from ${req.headers.host ?? ''}`));
  plain = createHttpServer((req, res) => res.end(JSON.stringify({ url: req.url, host: req.headers.host, proxyAuth: req.headers['proxy-authorization'] ?? null })));
  await Promise.all([new Promise<void>((r) => tls.listen(0, '127.0.0.1', r)), new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))]);
  tlsPort = (tls.address() as AddressInfo).port;
  plainPort = (plain.address() as AddressInfo).port;
  const policy = (name: string, egress: unknown[]): string =>
    JSON.stringify({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name }, spec: { workloads: { serviceAccounts: ['agent'] }, egress } });
  // localhost is loopback: only a rule that names it exactly opens it; the wildcard rule never does.
  writeFileSync(
    join(dir, 'policies.yaml'),
    [
      policy('local-upstream', [{ name: 'named-localhost', effect: 'Allow', hosts: ['localhost'], ports: [tlsPort, plainPort] }]),
      policy('everything-else', [{ name: 'any-host', effect: 'Allow', hosts: ['*'], ports: [443, 80, tlsPort] }, { name: 'no-paste', effect: 'Deny', hosts: ['*.pastebin.com'] }]),
    ].join('\n---\n'),
  );
  sidecar = await startSidecarProcess(
    ['--standalone', '--config', join(dir, 'policies.yaml'), '--identity', 'team-a/agent/agent-0', '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', '--proxy-port', '0'],
    15_000,
    'shipped',
    { onStdout: (line) => void audit.push(JSON.parse(line) as AuditRecord) },
  );
  const started = sidecar.stderr.find((l) => l.includes('portcullis sidecar started')) ?? '{}';
  proxyPort = (JSON.parse(started) as { proxyPort: number }).proxyPort;
  for (let i = 0; i < 200 && !(await sidecar.readiness()).body.ready; i++) await new Promise((r) => setTimeout(r, 25));
});

afterAll(async () => {
  expect(await sidecar.stop()).toBe(0);
  tls.closeAllConnections();
  plain.closeAllConnections();
  await Promise.all([new Promise((r) => tls.close(r)), new Promise((r) => plain.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

const lastAudit = async (host: string): Promise<AuditRecord> => {
  for (let i = 0; i < 200; i++) {
    const found = [...audit].reverse().find((a) => a.host === host);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no audit line for ${host}: ${JSON.stringify(audit)}`);
};

describe('HTTPS_PROXY port of the shipped sidecar, with curl', () => {
  it('tunnels curl to an allowed host; curl verifies the host\'s own certificate end to end', async () => {
    const r = await curl(`https://localhost:${tlsPort}/`);
    expect(r).toMatchObject({ code: 200, exit: 0, body: `hello over tls from localhost:${tlsPort}` });
    expect(r.proxyHeaders).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    const line = await lastAudit('localhost');
    expect(line).toMatchObject({ method: 'CONNECT', status: 200, decision: { effect: 'Allow', rule: 'named-localhost' }, workload: { serviceAccount: 'agent' } });
    expect(line.bytesIn).toBeGreaterThan(200); // the TLS handshake and request went through
    expect(line.bytesOut).toBeGreaterThan(500);
  });

  it('refuses a denied tunnel with 403, a JSON body and x-portcullis-policy', async () => {
    const r = await curl('https://dump.pastebin.com/', ['--proxy-header', 'X-Test: 1']);
    expect(r.exit).not.toBe(0);
    expect(r.code).toBe(403);
    expect(r.proxyHeaders).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(r.proxyHeaders).toMatch(/x-portcullis-policy: team-a\/everything-else/i);
    expect((await lastAudit('dump.pastebin.com')).error).toBe('EGRESS_DENIED');
  });

  it('refuses SSRF to 169.254.169.254 and to 127.0.0.1 through a name, although a wildcard rule allows every host', async () => {
    const meta = await curl('http://169.254.169.254/latest/meta-data/iam/security-credentials/');
    expect(meta.code).toBe(403);
    expect(JSON.parse(meta.body)).toMatchObject({ error: { code: 'EGRESS_ADDRESS_BLOCKED' } });
    const metaTunnel = await curl('https://169.254.169.254/');
    expect(metaTunnel.code).toBe(403);
    // localhost:443 is allowed by the wildcard rule only (the named rule lists other ports): the name
    // resolves to 127.0.0.1, which only a rule naming the host opens.
    const viaName = await curl('https://localhost/');
    expect(viaName.code).toBe(403);
    const line = await lastAudit('localhost');
    expect(line).toMatchObject({ status: 403, error: 'EGRESS_ADDRESS_BLOCKED', decision: { rule: 'any-host' } });
    // A trailing dot or upper case is the same host, not a way around the rules.
    const dotted = await curl('https://LOCALHOST./');
    expect(dotted.code).toBe(403);
  });

  it('forwards an absolute-form http:// request, dropping Proxy-Authorization', async () => {
    const r = await curl(`http://localhost:${plainPort}/v1/things?q=1`, ['--proxy-user', 'app:secret']);
    expect(r.code).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ url: '/v1/things?q=1', host: `localhost:${plainPort}`, proxyAuth: null });
  });
});
