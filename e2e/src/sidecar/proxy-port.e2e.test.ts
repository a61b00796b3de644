// The HTTPS_PROXY port of the shipped sidecar executable (Bun), driven by curl as an unchanged app would
// use it: tunnels to an allowed host, a denied tunnel, SSRF attempts, and absolute-form http://.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { testPort } from '../support/test-ports.js';

const run = promisify(execFile);

let dir: string;
let tls: Server;
let plain: Server;
let tlsPort: number;
let plainPort: number;
let sidecar: SidecarProcess;
let llm: Server;
const llmSeen: string[] = [];
const REAL_KEY = 'sk-e2e-real-9b2d';
let proxyPort: number;
const audit: AuditRecord[] = [];

/** The environment of an app in proxy mode; curl reads only the lower-case http_proxy, so both spellings. */
function proxyEnv(): NodeJS.ProcessEnv {
  const proxy = `http://127.0.0.1:${proxyPort}`;
  return { ...process.env, HTTPS_PROXY: proxy, https_proxy: proxy, HTTP_PROXY: proxy, http_proxy: proxy, NO_PROXY: '', no_proxy: '', ALL_PROXY: '', all_proxy: '' };
}

/** curl through the sidecar as HTTPS_PROXY; returns the status curl saw (the proxy's for a refused CONNECT) and the body. */
async function curl(url: string, extra: string[] = []): Promise<{ code: number; body: string; proxyHeaders: string; exit: number }> {
  const headerFile = join(dir, `h-${Math.random().toString(36).slice(2)}`);
  try {
    const { stdout } = await run('curl', ['-sS', '--max-time', '10', '--cacert', join(dir, 'ca.pem'), '-D', headerFile, '-w', '\n%{http_code} %{http_connect}', ...extra, url], {
      env: proxyEnv(),
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
  const leaf = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 3600, now });
  tls = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => res.end(`hello over tls from ${req.headers.host ?? ''}`));
  plain = createHttpServer((req, res) => res.end(JSON.stringify({ url: req.url, host: req.headers.host, proxyAuth: req.headers['proxy-authorization'] ?? null })));
  await Promise.all([new Promise<void>((r) => tls.listen(0, '127.0.0.1', r)), new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))]);
  tlsPort = (tls.address() as AddressInfo).port;
  plainPort = (plain.address() as AddressInfo).port;
  // An LLM API stand-in that checks the injected key: the openai source's upstream override points at
  // it, while the apps keep calling https://api.openai.com (the preset's host) through the proxy port.
  // (Its upstream is 127.0.0.1, not localhost: a source's upstream host is one proxy mode terminates, and
  // the SSRF case below needs localhost:443 to be a plain tunnel.)
  llm = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const ok = req.headers.authorization === `Bearer ${REAL_KEY}`;
    llmSeen.push(`${req.method ?? ''} ${req.url ?? ''} ${ok ? 'real-key' : JSON.stringify(req.headers.authorization ?? null)}`);
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-test', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hi from the stand-in' } }] } : { error: { message: 'bad key' } }));
  });
  await new Promise<void>((r) => llm.listen(0, '127.0.0.1', r));
  mkdirSync(join(dir, 'sources', 'openai'), { recursive: true });
  writeFileSync(join(dir, 'sources', 'openai', 'api-key'), REAL_KEY);
  const source = JSON.stringify({
    apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'openai' },
    spec: { type: 'http', port: testPort(), http: { preset: 'openai', upstream: `https://127.0.0.1:${(llm.address() as AddressInfo).port}`, caBundle: ca.certPem, secretRef: { name: 'openai-key', key: 'api-key' } } },
  });
  const chatOnly = JSON.stringify({
    apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'chat-only' },
    spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] }] },
  });
  const policy = (name: string, egress: unknown[]): string =>
    JSON.stringify({ apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name }, spec: { workloads: { serviceAccounts: ['agent'] }, egress } });
  // localhost is loopback: only a rule that names it exactly opens it; the wildcard rule never does.
  writeFileSync(
    join(dir, 'policies.yaml'),
    [
      policy('local-upstream', [{ name: 'named-localhost', effect: 'Allow', hosts: ['localhost'], ports: [tlsPort, plainPort] }]),
      policy('everything-else', [{ name: 'any-host', effect: 'Allow', hosts: ['*'], ports: [443, 80, tlsPort] }, { name: 'no-paste', effect: 'Deny', hosts: ['*.pastebin.com'] }]),
      source,
      chatOnly,
    ].join('\n---\n'),
  );
  sidecar = await startSidecarProcess(
    ['--standalone', '--config', join(dir, 'policies.yaml'), '--identity', 'team-a/agent/agent-0', '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', '--proxy-port', '0', '--proxy-ca-dir', join(dir, 'proxy-ca'), '--secrets-dir', join(dir, 'sources')],
    15_000,
    'shipped',
    { onStdout: (line) => void audit.push(JSON.parse(line) as AuditRecord) },
  );
  const started = sidecar.stderr.find((l) => l.includes('portcullis sidecar started')) ?? '{}';
  proxyPort = (JSON.parse(started) as { proxyPort: number }).proxyPort;
  // Ready means the pod CA is written and the source port listens; a loaded machine may take seconds.
  for (let i = 0; !(await sidecar.readiness()).body.ready; i++) {
    if (i === 600) throw new Error(`the sidecar was not ready after 15 s: ${JSON.stringify((await sidecar.readiness()).body)}\n${sidecar.stderr.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
});

afterAll(async () => {
  expect(await sidecar.stop()).toBe(0);
  for (const s of [tls, plain, llm]) s.closeAllConnections();
  await Promise.all([tls, plain, llm].map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

const lastAudit = async (host: string, error?: string): Promise<AuditRecord> => {
  for (let i = 0; i < 200; i++) {
    const found = [...audit].reverse().find((a) => a.host === host && (error === undefined || a.error === error));
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
    expect((await lastAudit('dump.pastebin.com', 'EGRESS_DENIED')).status).toBe(403);
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
    const line = await lastAudit('localhost', 'EGRESS_ADDRESS_BLOCKED');
    expect(line).toMatchObject({ status: 403, decision: { rule: 'any-host', forwarded: false, reason: expect.stringContaining('not forwarded (EGRESS_ADDRESS_BLOCKED') }, egress: { kind: 'tunnel', port: 443, address: null } });
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

describe('proxy mode of the shipped sidecar: hosts a source serves, behind the per-pod CA', () => {
  it('writes the pod CA (public) and a bundle for the apps, and its key to no file', () => {
    const files = readdirSync(join(dir, 'proxy-ca')).sort();
    expect(files).toEqual(['ca-bundle.crt', 'ca.crt']);
    const ca = readFileSync(join(dir, 'proxy-ca', 'ca.crt'), 'utf8');
    expect(ca.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    const bundle = readFileSync(join(dir, 'proxy-ca', 'ca-bundle.crt'), 'utf8');
    expect(bundle.endsWith(ca)).toBe(true);
    expect((bundle.match(/BEGIN CERTIFICATE/g) ?? []).length).toBeGreaterThan(100); // the system roots are there too
    for (const f of files) expect(readFileSync(join(dir, 'proxy-ca', f), 'utf8')).not.toMatch(/PRIVATE KEY/);
    expect([...sidecar.stdout, ...sidecar.stderr].join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('serves curl calling https://api.openai.com unchanged: the real key is injected, the policy applies', async () => {
    const ok = await curl('https://api.openai.com/v1/chat/completions', ['--cacert', join(dir, 'proxy-ca', 'ca.crt'), '-H', 'authorization: Bearer whatever-the-app-has', '-H', 'content-type: application/json', '-d', '{"model":"gpt-test","messages":[]}']);
    expect(ok.code).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ choices: [{ message: { content: 'hi from the stand-in' } }] });
    expect(llmSeen.at(-1)).toBe('POST /v1/chat/completions real-key');
    const denied = await curl('https://api.openai.com/v1/models', ['--cacert', join(dir, 'proxy-ca', 'ca.crt')]);
    expect(denied.code).toBe(403);
    expect(JSON.parse(denied.body)).toMatchObject({ error: { code: 'POLICY_DENIED' } });
    expect(llmSeen.at(-1)).toBe('POST /v1/chat/completions real-key');
    // curl with only the system roots refuses the leaf: nothing but the pod CA vouches for it.
    const untrusted = await run('curl', ['-sS', '--max-time', '10', 'https://api.openai.com/v1/chat/completions'], { env: proxyEnv() }).then(() => 0, (e: { code: number }) => e.code);
    expect(untrusted).toBe(60);
  });

  it('serves the openai Node SDK with NODE_USE_ENV_PROXY=1 and NODE_EXTRA_CA_CERTS, endpoint unchanged', async () => {
    const script = `
      const { default: OpenAI } = await import('openai');
      const client = new OpenAI({ apiKey: 'portcullis-placeholder', maxRetries: 0 });
      const r = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
      console.log(r.choices[0].message.content);`;
    const env: NodeJS.ProcessEnv = { ...proxyEnv(), NODE_USE_ENV_PROXY: '1', NODE_EXTRA_CA_CERTS: join(dir, 'proxy-ca', 'ca.crt') };
    delete env.OPENAI_BASE_URL;
    // Node 24 from npm (the app's runtime here): NODE_USE_ENV_PROXY makes its fetch honour HTTPS_PROXY.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), env });
    expect(stdout.trim()).toBe('hi from the stand-in');
    expect(llmSeen.at(-1)).toBe('POST /v1/chat/completions real-key');
    const line = [...audit].reverse().find((a) => a.source === 'openai');
    expect(line).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200 });
  });
});
