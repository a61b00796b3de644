import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { sendRaw, signAsApp } from '../test-support/aws-app.js';
import { ACCOUNT, REGION, SDK_CASES } from '../test-support/aws-sdk-cases.js';
import { startAwsUpstream, type AwsUpstream, type Reply } from '../test-support/aws-upstream.js';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { awsSource, policy } from '../test-support/resources.js';

const ISSUED = { accessKeyId: 'ASIASTSISSUED0001', secretAccessKey: 'sts-secret/0001+abc', sessionToken: 'sts-session-token-0001' };
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/app-reader`;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.projected-sts-token.sig';

describe('AWS SDK v3 clients through an aws source (web identity)', () => {
  let upstream: AwsUpstream;
  let h: Harness;
  let reply: Reply = {};

  beforeAll(async () => {
    upstream = await startAwsUpstream({
      keys: new Map([[ISSUED.accessKeyId, { secretAccessKey: ISSUED.secretAccessKey, sessionToken: ISSUED.sessionToken }]]),
      sts: { ...ISSUED, expiration: new Date(Date.now() + 3600_000) },
      respond: () => reply,
    });
    const allow = SDK_CASES.map((c) => ({ name: c.service, effect: 'Allow' as const, source: 'aws', actions: [c.allowed.action], resources: [c.allowed.resource] }));
    h = await startHarness({
      port: 18100,
      sources: [awsSource('aws', 18100, { endpoint: upstream.url, allowPlaintextEndpoint: true, webIdentity: { roleArn: ROLE_ARN, sessionDurationSeconds: 900 } })],
      policies: [policy('app', allow)],
      secrets: {},
      stsToken: `${TOKEN}\n`,
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });
  beforeEach(() => {
    reply = {};
  });

  describe.each(SDK_CASES)('$service', (c) => {
    it(`allows ${c.allowed.name} (${c.allowed.action}) re-signed with the STS-issued key`, async () => {
      reply = c.allowed.reply ?? {};
      const before = upstream.calls.length;
      const out = await c.allowed.run(h.url);
      if (c.allowed.expected !== undefined) {
        if (typeof c.allowed.expected === 'object') expect(out).toMatchObject(c.allowed.expected as object);
        else expect(out).toEqual(c.allowed.expected);
      }
      const arrived = upstream.calls.slice(before);
      expect(arrived).toHaveLength(1);
      expect(arrived[0]?.verdict).toMatchObject({ ok: true, request: { accessKeyId: ISSUED.accessKeyId, region: REGION } });
      await eventually(() => {
        const line = h.audit.filter((a) => a.aws?.action === c.allowed.action).at(-1);
        expect(line).toMatchObject({ status: 200, decision: { effect: 'Allow' }, aws: { action: c.allowed.action, resources: [c.allowed.resource], region: REGION } });
      });
    });

    it(`denies ${c.denied.name} with the SDK's own AccessDenied naming ${c.denied.action} and the policy`, async () => {
      const before = upstream.calls.length;
      const err = (await c.denied.run(h.url).then(() => undefined, (e: unknown) => e)) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
      expect(err).toBeDefined();
      expect(['AccessDenied', 'AccessDeniedException']).toContain(err?.name);
      expect(err?.$metadata?.httpStatusCode).toBe(403);
      expect(err?.message).toContain(`Portcullis denied ${c.denied.action} on ${c.denied.resource}`);
      expect(err?.message).toContain('EgressPolicy team-a/app');
      expect(upstream.calls.length).toBe(before);
    });
  });

  it('hashes a JSON body the app signed without x-amz-content-sha256 (as boto3 does) and signs that hash', async () => {
    reply = { headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{"Item":{}}' };
    const body = Buffer.from(JSON.stringify({ TableName: 'orders', Key: { id: { S: '7' } } }));
    const sent = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' };
    const headers = await signAsApp({ method: 'POST', path: '/', headers: sent, body, payload: 'omit' }, 'dynamodb');
    expect(headers['x-amz-content-sha256']).toBeUndefined();
    const res = await sendRaw(h.url, { method: 'POST', path: '/', headers: { ...headers, 'content-length': String(body.length) }, body });
    expect(res.status).toBe(200);
    const call = upstream.calls.at(-1);
    expect(call?.verdict.ok).toBe(true);
    expect(call?.headers['x-amz-content-sha256']).toBeUndefined();
    expect(call?.body.equals(body)).toBe(true);
  });

  it('obtained the credentials once, with a session name naming the pod and the projected token', () => {
    expect(upstream.stsCalls).toHaveLength(1);
    expect(upstream.stsCalls[0]).toMatchObject({
      Action: 'AssumeRoleWithWebIdentity',
      RoleArn: ROLE_ARN,
      RoleSessionName: 'team-a.agent.agent-7f9c',
      WebIdentityToken: TOKEN,
      DurationSeconds: '900',
    });
  });

  it('never lets the placeholder key or the app signature reach the upstream', () => {
    expect(upstream.calls.length).toBeGreaterThan(0);
    for (const call of upstream.calls) {
      expect(call.verdict.ok).toBe(true);
      expect(JSON.stringify(call.headers)).not.toContain(PLACEHOLDER_CREDENTIAL);
      expect(call.url).not.toContain(PLACEHOLDER_CREDENTIAL);
    }
  });

  it('puts service, region, action, resources and the STS session in the audit line, and no secret', async () => {
    await eventually(() => expect(h.audit.some((a) => a.aws?.action === 'dynamodb:GetItem')).toBe(true));
    const line = h.audit.find((a) => a.aws?.action === 'dynamodb:GetItem');
    expect(line?.aws).toEqual({
      service: 'dynamodb',
      signingName: 'dynamodb',
      region: REGION,
      action: 'dynamodb:GetItem',
      resources: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`],
      roleArn: ROLE_ARN,
      sessionName: 'team-a.agent.agent-7f9c',
    });
    expect(line?.host).toBe(new URL(upstream.url).host);
    const output = h.output();
    expect(output).not.toContain(ISSUED.secretAccessKey);
    expect(output).not.toContain(ISSUED.sessionToken);
    expect(output).not.toContain(TOKEN);
  });
});
