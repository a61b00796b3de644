import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { fetch as undiciFetch, ProxyAgent } from 'undici';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { eventually } from '../../test-support/harness.js';
import { egressPolicy, startEgressHarness, type EgressHarness } from '../../test-support/egress-harness.js';
import { httpSource, policy } from '../../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../../test-support/upstream.js';

const REAL_KEY = 'sk-real-4f1c9a';

let upstream: Upstream;
let h: EgressHarness;

beforeAll(async () => {
  upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${REAL_KEY}`, (req, res) => {
    if (req.url === '/v1/chat/completions') {
      json(res, 200, { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-test', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello through the pod CA' } }] });
    } else json(res, 200, { object: 'list', data: [] });
  });
  // The source's upstream points at the test server; the app still calls https://api.openai.com (the preset's host).
  h = await startEgressHarness({
    sources: [httpSource('openai', 18080, { preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'openai', key: 'api-key' } })],
    secrets: { openai: { 'api-key': `${REAL_KEY}\n` } },
    policies: [policy('chat-only', [{ name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] }]), egressPolicy('none', [{ effect: 'Deny', hosts: ['*'] }])],
    hosts: {},
  });
});

afterAll(async () => {
  await h.close();
  await upstream.close();
});

/** CONNECT to host:443 through the proxy port, then a TLS handshake trusting `ca` (or the system roots). */
function tlsThroughProxy(host: string, opts: { ca?: string | undefined; alpn?: string[] }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: h.port, method: 'CONNECT', path: `${host}:443` });
    req.on('connect', (res, socket: Socket) => {
      if (res.statusCode !== 200) return reject(new Error(`CONNECT answered ${res.statusCode ?? 0}`));
      const t = tlsConnect({ socket, servername: host, ...(opts.ca ? { ca: opts.ca } : {}), ALPNProtocols: opts.alpn ?? ['http/1.1'] });
      t.once('secureConnect', () => resolve(t));
      t.once('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('proxy mode: hosts a source serves, terminated with the per-pod CA', () => {
  it('runs the openai SDK (endpoint unchanged, through undici ProxyAgent) through the source pipeline: real key injected, placeholder gone', async () => {
    const dispatcher = new ProxyAgent({ uri: `http://127.0.0.1:${h.port}`, requestTls: { ca: h.caCertPem } });
    const client = new OpenAI({ apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0, fetch: undiciFetch as unknown as typeof fetch, fetchOptions: { dispatcher } as unknown as NonNullable<ConstructorParameters<typeof OpenAI>[0]>['fetchOptions'] });
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('hello through the pod CA');
    const got = upstream.received.at(-1);
    expect(got?.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect(JSON.stringify(upstream.received)).not.toContain(PLACEHOLDER_CREDENTIAL);
    await eventually(() => expect(h.audit.find((a) => a.source === 'openai')).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, decision: { rule: 'chat' } }));

    // The same policy applies inside the terminated TLS: a path it does not allow is refused, in OpenAI's shape.
    const err = await client.models.list().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('POLICY_DENIED');
    await dispatcher.close();
  });

  it('presents a leaf for the host that chains to the pod CA only, with ALPN http/1.1 even when h2 is offered', async () => {
    const t = await tlsThroughProxy('api.openai.com', { ca: h.caCertPem, alpn: ['h2', 'http/1.1'] });
    const leaf: DetailedPeerCertificate = t.getPeerCertificate(true);
    expect(t.alpnProtocol).toBe('http/1.1');
    expect(leaf.subjectaltname).toBe('DNS:api.openai.com');
    expect(leaf.issuer.CN).toMatch(/^Portcullis pod CA [0-9a-f]{8}$/);
    expect(leaf.issuerCertificate.subject.CN).toBe(leaf.issuer.CN);
    t.destroy();
    // Without the pod CA (the system roots only) the handshake fails: nothing else vouches for the leaf.
    await expect(tlsThroughProxy('api.openai.com', {})).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });

  it('does not terminate hosts no source serves: those follow the egress rules (denied here)', async () => {
    await expect(tlsThroughProxy('api.anthropic.com', { ca: h.caCertPem })).rejects.toThrow('CONNECT answered 403');
  });

  it('does not terminate on other ports than 443', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: h.port, method: 'CONNECT', path: 'api.openai.com:8443' });
      req.on('connect', (res, socket: Socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
