import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import OpenAI from 'openai';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { httpSource, policy } from '../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

const REAL_KEY = 'sk-real-0123456789';
const pki = testPki();

describe('openai SDK through the sidecar', () => {
  let upstream: Upstream;
  let h: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers.authorization === `Bearer ${REAL_KEY}`, (req, res) => {
      if (req.url === '/v1/chat/completions') {
        json(res, 200, {
          id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-test',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello from upstream' } }],
        });
      } else {
        json(res, 200, { object: 'list', data: [] });
      }
    });
    h = await startHarness({
      port: 18080,
      sources: [httpSource('openai', 18080, { preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'openai', key: 'api-key' } })],
      policies: [policy('chat-only', [{ name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] }])],
      secrets: { openai: { 'api-key': `${REAL_KEY}\n` } },
    });
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: PLACEHOLDER_CREDENTIAL, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('completes an allowed chat call with the real key, never the placeholder', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('hello from upstream');
    const got = upstream.received.at(-1);
    expect(got?.headers.authorization).toBe(`Bearer ${REAL_KEY}`);
    expect(got?.headers.host).toBe(new URL(upstream.url).host);
    expect(upstream.received.some((r) => JSON.stringify(r.headers).includes(PLACEHOLDER_CREDENTIAL))).toBe(false);
  });

  it('denies a path the policy does not allow with a 403 the SDK explains', async () => {
    const before = upstream.received.length;
    const err = await client.models.list().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const denied = err as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(denied.status).toBe(403);
    expect(denied.message).toContain('GET /v1/models');
    expect(denied.message).toContain('EgressPolicy team-a/chat-only');
    expect(denied.code).toBe('POLICY_DENIED');
    expect(upstream.received.length).toBe(before);
  });

  it('writes one audit line per request naming the workload and the decision', async () => {
    await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'again' }] });
    await eventually(() => expect(h.audit.length).toBeGreaterThanOrEqual(3));
    const allowed = h.audit.filter((a) => a.decision.effect === 'Allow').at(-1);
    expect(allowed).toMatchObject({
      kind: 'audit',
      workload: { namespace: 'team-a', serviceAccount: 'agent', pod: 'agent-7f9c', podUID: 'uid-agent' },
      source: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      host: new URL(upstream.url).host,
      status: 200,
      decision: { effect: 'Allow', mode: 'Enforce', forwarded: true, policy: 'team-a/chat-only', rule: 'chat' },
      error: null,
    });
    expect(allowed?.bytesIn).toBeGreaterThan(0);
    expect(allowed?.bytesOut).toBeGreaterThan(0);
    expect(allowed?.upstreamMs).toEqual(expect.any(Number));
    const denied = h.audit.find((a) => a.path === '/v1/models');
    expect(denied).toMatchObject({ status: 403, error: 'POLICY_DENIED', decision: { effect: 'Deny', forwarded: false, reason: 'no rule allows it' } });
  });
});

describe('Octokit through the sidecar', () => {
  let upstream: Upstream;
  let h: Harness;

  beforeAll(async () => {
    upstream = await startUpstream(pki, (req) => req.headers.authorization === 'Bearer ghp_real', (req, res) => {
      if (req.method === 'GET') json(res, 200, [{ number: 1, title: 'first' }]);
      else json(res, 201, { number: 2 });
    });
    h = await startHarness({
      port: 18090,
      sources: [httpSource('github', 18090, { preset: 'github', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'gh', key: 'token' } })],
      policies: [policy('read-issues', [{ effect: 'Allow', source: 'github', methods: ['GET'], paths: ['/repos/*/*/issues'] }])],
      secrets: { github: { token: 'ghp_real' } },
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('lists issues with the real token and is denied creating one', async () => {
    const quiet = (): void => undefined;
    const octokit = new Octokit({ baseUrl: h.url, auth: PLACEHOLDER_CREDENTIAL, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
    const { data } = await octokit.rest.issues.listForRepo({ owner: 'acme', repo: 'app' });
    expect(data[0]?.title).toBe('first');
    expect(upstream.received.at(-1)?.url).toBe('/repos/acme/app/issues');
    await expect(octokit.rest.issues.create({ owner: 'acme', repo: 'app', title: 'x' })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('POST /repos/acme/app/issues'),
    });
    expect(upstream.received.every((r) => r.method === 'GET')).toBe(true);
  });
});
