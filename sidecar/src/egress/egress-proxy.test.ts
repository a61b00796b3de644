import { once } from 'node:events';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@portcullis/shared/pki';
import { eventually } from '../test-support/harness.js';
import { egressPolicy, startEgressHarness, type EgressHarness } from '../test-support/egress-harness.js';

/** A plain HTTP upstream on 127.0.0.1 that echoes what it received (method, url, headers). */
let upstream: Server;
let upstreamPort: number;
let tlsUpstream: Server;
let tlsPort: number;
let ca: KeyPair;

beforeAll(async () => {
  upstream = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as AddressInfo).port;
  const now = new Date();
  ca = createCertificateAuthority({ commonName: 'test upstream CA', validitySeconds: 3600, now });
  const leaf = issueCertificate(ca, { commonName: 'api.partner.test', dnsNames: ['api.partner.test'], usages: ['server'], validitySeconds: 3600, now });
  tlsUpstream = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => res.end(`tls ok ${req.headers.host ?? ''}`));
  await new Promise<void>((r) => tlsUpstream.listen(0, '127.0.0.1', r));
  tlsPort = (tlsUpstream.address() as AddressInfo).port;
});

afterAll(async () => {
  upstream.closeAllConnections();
  tlsUpstream.closeAllConnections();
  await Promise.all([new Promise((r) => upstream.close(r)), new Promise((r) => tlsUpstream.close(r))]);
});

let h: EgressHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface ConnectAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly socket: Socket;
}

/** Sends CONNECT target and reads the proxy's answer (and, for a refusal, its body). */
function connectVia(proxyPort: number, target: string): Promise<ConnectAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target, headers: { host: target } });
    req.on('connect', (res, socket, head: Buffer) => {
      if (res.statusCode === 200) return resolve({ status: 200, headers: res.headers, body: '', socket });
      // The refusal's body arrives with the head (what the client read past the status line's headers).
      let body = head.toString();
      socket.on('data', (c: Buffer) => (body += c.toString()));
      socket.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket }));
    });
    req.on('response', (res) => {
      // Node hands a non-2xx CONNECT answer to 'connect' too; this is only a fallback.
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket: res.socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP/1.1 GET through an open tunnel; resolves with the raw answer once the upstream closes. */
async function getThrough(socket: Socket, host: string): Promise<string> {
  let raw = '';
  socket.on('data', (c: Buffer) => (raw += c.toString()));
  socket.write(`GET /inside HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  await once(socket, 'close');
  return raw;
}

const partner = (port: number[]): ReturnType<typeof egressPolicy> => egressPolicy('partner', [{ name: 'partner', effect: 'Allow', hosts: ['api.partner.test'], ports: port }]);

describe('HTTPS_PROXY port: tunnels to hosts without a source', () => {
  it('opens a tunnel to an allowed host, carries bytes both ways, and audits host, bytes, duration and decision', async () => {
    h = await startEgressHarness({ policies: [partner([upstreamPort])], hosts: { 'api.partner.test': ['127.0.0.1'] } });
    const tunnel = await connectVia(h.port, `api.partner.test:${upstreamPort}`);
    expect(tunnel.status).toBe(200);
    const raw = await getThrough(tunnel.socket, 'api.partner.test');
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(raw).toContain('"url":"/inside"');
    await eventually(() => expect(h?.audit).toHaveLength(1));
    const line = h.audit[0];
    expect(line).toMatchObject({
      method: 'CONNECT',
      host: 'api.partner.test',
      source: null,
      status: 200,
      error: null,
      egress: { kind: 'tunnel', port: upstreamPort, address: '127.0.0.1' },
      decision: { effect: 'Allow', mode: 'Enforce', forwarded: true, policy: 'team-a/partner', rule: 'partner' },
      workload: { serviceAccount: 'agent' },
    });
    expect(line?.bytesIn).toBeGreaterThan(40);
    expect(line?.bytesOut).toBe(Buffer.byteLength(raw));
    expect(line?.durationMs).toBeGreaterThan(0);
    expect(h.lookups).toEqual(['api.partner.test']);
  });

  it('refuses a tunnel to an unlisted host with 403, a JSON body and a header naming the policy', async () => {
    h = await startEgressHarness({ policies: [partner([443])], hosts: { 'evil.test': ['127.0.0.1'] } });
    const answer = await connectVia(h.port, 'evil.test:443');
    expect(answer.status).toBe(403);
    expect(answer.headers['x-portcullis-policy']).toBe('team-a/partner');
    const body = JSON.parse(answer.body) as { error: { code: string; message: string; policy: string } };
    expect(body.error).toMatchObject({ code: 'EGRESS_DENIED', policy: 'team-a/partner' });
    expect(body.error.message).toContain('evil.test:443');
    expect(body.error.message).toContain('spec.egress');
    // Refused before any lookup: a denied name is not even resolved.
    expect(h.lookups).toEqual([]);
    await eventually(() => expect(h?.audit[0]).toMatchObject({ host: 'evil.test', status: 403, error: 'EGRESS_DENIED', decision: { effect: 'Deny', forwarded: false }, egress: { address: null } }));
  });

  it('refuses every tunnel when no policy has egress rules for the workload (default deny)', async () => {
    h = await startEgressHarness({ policies: [], hosts: { 'api.partner.test': ['127.0.0.1'] } });
    const answer = await connectVia(h.port, `api.partner.test:${upstreamPort}`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('default deny');
  });

  it('still applies the address guard to a tunnel an Audit policy would deny', async () => {
    h = await startEgressHarness({ policies: [egressPolicy('watch', [{ effect: 'Allow', hosts: ['pypi.org'] }], 'Audit')], hosts: { 'unlisted.test': ['127.0.0.1'] } });
    // The Audit policy would deny it; the exact-name rule is absent, so the guard still applies: use a named allow below.
    const answer = await connectVia(h.port, 'unlisted.test:443');
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'EGRESS_ADDRESS_BLOCKED' } });
    // Audit mode would have let it through; the guard did not, and the line says so.
    await eventually(() => expect(h?.audit[0]).toMatchObject({ decision: { effect: 'Deny', mode: 'Audit', forwarded: false, reason: expect.stringContaining('not forwarded (EGRESS_ADDRESS_BLOCKED') }, error: 'EGRESS_ADDRESS_BLOCKED' }));
  });

  it('forwards a would-deny in Audit mode to a host that is not guarded', async () => {
    // 127.0.0.1 stands for a routable host here: the test names it as the API server's address is not.
    h = await startEgressHarness({
      policies: [egressPolicy('watch', [{ effect: 'Allow', hosts: ['pypi.org'] }], 'Audit'), egressPolicy('loop', [{ effect: 'Allow', hosts: ['api.partner.test'], ports: [upstreamPort] }], 'Audit')],
      hosts: { 'api.partner.test': ['127.0.0.1'] },
    });
    const tunnel = await connectVia(h.port, `api.partner.test:${upstreamPort}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
    await eventually(() => expect(h?.audit[0]).toMatchObject({ status: 200, decision: { effect: 'Allow', mode: 'Audit', forwarded: true } }));
  });

  it('lets a Deny rule win over an Allow for the same host', async () => {
    h = await startEgressHarness({
      policies: [egressPolicy('all', [{ effect: 'Allow', hosts: ['*'] }]), egressPolicy('no-paste', [{ name: 'paste', effect: 'Deny', hosts: ['*.pastebin.test'] }])],
      hosts: {},
    });
    const answer = await connectVia(h.port, 'x.pastebin.test:443');
    expect(answer.status).toBe(403);
    expect(answer.headers['x-portcullis-policy']).toBe('team-a/no-paste');
  });

  it('refuses CONNECT targets that are no host:port (user info, no port, port 0, spaces)', async () => {
    h = await startEgressHarness({ policies: [egressPolicy('all', [{ effect: 'Allow', hosts: ['*'] }])], hosts: {} });
    for (const target of ['allowed.test@127.0.0.1:443', 'allowed.test', 'allowed.test:0', 'allowed.test:99999', '[evil.test]:443']) {
      const answer = await connectVia(h.port, target);
      expect([target, answer.status]).toEqual([target, 400]);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'EGRESS_TARGET_INVALID' } });
    }
  });

  it('refuses tunnels while the workload has no verified identity', async () => {
    h = await startEgressHarness({ policies: [partner([upstreamPort])], hosts: { 'api.partner.test': ['127.0.0.1'] } });
    h.setIdentity(undefined);
    const answer = await connectVia(h.port, `api.partner.test:${upstreamPort}`);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'IDENTITY_UNAVAILABLE' } });
  });

  it('carries TLS end to end for a real HTTPS client (node:https with proxyEnv), which verifies the host\'s own certificate', async () => {
    h = await startEgressHarness({ policies: [egressPolicy('partner', [{ effect: 'Allow', hosts: ['api.partner.test'], ports: [tlsPort] }])], hosts: { 'api.partner.test': ['127.0.0.1'] } });
    const agent = new HttpsAgent({ proxyEnv: { HTTPS_PROXY: `http://127.0.0.1:${h.port}` }, ca: ca.certPem });
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: 'api.partner.test', port: tlsPort, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    agent.destroy();
    expect(text).toBe(`tls ok api.partner.test:${tlsPort}`);
    await eventually(() => expect(h?.audit[0]).toMatchObject({ method: 'CONNECT', host: 'api.partner.test', status: 200 }));
  });
});

describe('HTTPS_PROXY port: SSRF guard', () => {
  const everything = [egressPolicy('all', [{ name: 'any', effect: 'Allow', hosts: ['*'], ports: [443, 80] }])];

  it.each([
    ['the metadata address', '169.254.169.254:443'],
    ['the metadata address on port 80', '169.254.169.254:80'],
    ['loopback', '127.0.0.1:443'],
    ['loopback written as 127.1', '127.0.0.2:443'],
    ['IPv6 loopback', '[::1]:443'],
    ['IPv4-mapped loopback', '[::ffff:127.0.0.1]:443'],
    ['IPv4-mapped loopback in hex', '[::ffff:7f00:1]:443'],
    ['NAT64-embedded metadata', '[64:ff9b::a9fe:a9fe]:443'],
    ['this-host 0.0.0.0', '0.0.0.0:443'],
    ['a name resolving to loopback', 'rebind.test:443'],
    ['a name with one loopback address among public ones', 'mixed.test:443'],
    ['a name resolving to the metadata address', 'metadata.test:443'],
    ['the cluster API server', '10.96.0.1:443'],
  ])('refuses %s even when a wildcard rule allows every host', async (_what, target) => {
    h = await startEgressHarness({
      policies: everything,
      hosts: { 'rebind.test': ['127.0.0.1'], 'mixed.test': ['192.0.2.10', '127.0.0.1'], 'metadata.test': ['169.254.169.254'] },
      apiServer: ['10.96.0.1'],
    });
    const answer = await connectVia(h.port, target);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'EGRESS_ADDRESS_BLOCKED' } });
    await eventually(() => expect(h?.audit[0]).toMatchObject({ status: 403, error: 'EGRESS_ADDRESS_BLOCKED', egress: { address: null } }));
    // The wildcard rule allowed the host; the audit line still must not claim the tunnel was forwarded.
    expect(h.audit[0]?.decision).toMatchObject({ effect: 'Allow', rule: 'any', forwarded: false, reason: expect.stringMatching(/^allowed by rule, not forwarded \(EGRESS_ADDRESS_BLOCKED: Portcullis refused a tunnel to .+, a .+ address/) });
  });

  it('audits a tunnel to an allowed host that refuses the connection as not forwarded, with the reason', async () => {
    // Port 1 (tcpmux) on loopback: privileged and served by nothing here, so the connection is refused.
    const closed = 1;
    h = await startEgressHarness({ policies: [egressPolicy('local', [{ name: 'named', effect: 'Allow', hosts: ['api.partner.test'], ports: [closed] }])], hosts: { 'api.partner.test': ['127.0.0.1'] } });
    const answer = await connectVia(h.port, `api.partner.test:${closed}`);
    expect(answer.status).toBe(502);
    await eventually(() => expect(h?.audit[0]).toMatchObject({ error: 'UPSTREAM_UNREACHABLE', decision: { effect: 'Allow', forwarded: false, reason: expect.stringContaining('not forwarded (UPSTREAM_UNREACHABLE') } }));
  });

  it('opens a guarded address only for a rule that names the host exactly, and resolves the name once', async () => {
    h = await startEgressHarness({
      policies: [egressPolicy('local', [{ name: 'named', effect: 'Allow', hosts: ['api.partner.test'], ports: [upstreamPort] }, { effect: 'Allow', hosts: ['*.partner.test'], ports: [upstreamPort] }])],
      hosts: { 'api.partner.test': ['127.0.0.1'], 'other.partner.test': ['127.0.0.1'] },
    });
    expect((await connectVia(h.port, `other.partner.test:${upstreamPort}`)).status).toBe(403);
    const tunnel = await connectVia(h.port, `api.partner.test:${upstreamPort}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
    expect(h.lookups).toEqual(['other.partner.test', 'api.partner.test']);
  });
});

describe('HTTPS_PROXY port: absolute-form http:// requests', () => {
  it('forwards an allowed request with Host from the URL, the app\'s own headers, and no Proxy-Authorization', async () => {
    h = await startEgressHarness({ policies: [partner([upstreamPort])], hosts: { 'api.partner.test': ['127.0.0.1'] } });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: h?.port, method: 'POST', path: `http://api.partner.test:${upstreamPort}/v1/items?x=1`, headers: { authorization: 'Bearer app-own', 'proxy-authorization': 'Basic c2VjcmV0', 'content-type': 'text/plain' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end('hello');
    });
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/items?x=1', body: 'hello' });
    expect(seen.headers.host).toBe(`api.partner.test:${upstreamPort}`);
    expect(seen.headers.authorization).toBe('Bearer app-own');
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    await eventually(() => expect(h?.audit[0]).toMatchObject({ method: 'POST', host: 'api.partner.test', path: '/v1/items', status: 200, bytesIn: 5, egress: { kind: 'http', port: upstreamPort } }));
  });

  it('refuses a denied absolute-form request with 403 JSON and the policy header; origin-form gets 400', async () => {
    h = await startEgressHarness({ policies: [partner([443])], hosts: {} });
    const get = (path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: h?.port, path }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const denied = await get('http://evil.test/steal');
    expect(denied.status).toBe(403);
    expect(denied.headers['x-portcullis-policy']).toBe('team-a/partner');
    expect(JSON.parse(denied.body)).toMatchObject({ error: { code: 'EGRESS_DENIED' } });
    const guarded = await get('http://169.254.169.254/latest/meta-data/');
    expect(guarded.status).toBe(403);
    const origin = await get('/v1/models');
    expect(origin.status).toBe(400);
    expect(JSON.parse(origin.body)).toMatchObject({ error: { code: 'EGRESS_TARGET_INVALID' } });
    const userinfo = await get('http://api.partner.test@evil.test/');
    expect(userinfo.status).toBe(400);
  });
});
