// Vault's AWS secrets engine is not in OpenBao and HashiCorp Vault built from source does not fit CI's
// time budget (docs/adr/0015-credential-origin-inside-the-type.md), so the engine client is tested here
// against the JSON Vault documents for aws/creds, aws/sts, sys/leases/renew and sys/leases/revoke
// (developer.hashicorp.com/vault/api-docs/secret/aws, /api-docs/system/leases).
import { describe, expect, it } from '@jest/globals';
import type { ResolvedVaultAwsEngine } from '@portcullis/shared';
import { issueCall, parseEngineLease } from './aws-engine.js';
import { AwsEngineOrigin, type EngineEvent } from './aws-engine-origin.js';
import { VaultSession } from './session.js';
import type { VaultAnswer, VaultCall } from './vault-http.js';

const CREDS = {
  request_id: 'b5b6b4a0-1f0c-4e7d-9f2a-3b1c2d3e4f50',
  lease_id: 'aws/creds/reader/f3e92392-7d9c-09c8-c921-575d62fe80d8',
  renewable: true,
  lease_duration: 3600,
  data: { access_key: 'AKIAIOSFODNN7EXAMPLE', secret_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', security_token: null },
};
const STS = {
  lease_id: 'aws/sts/reader/31d771a6-fb39-f46b-fdc5-945109106422',
  renewable: false,
  lease_duration: 900,
  data: { access_key: 'ASIAIOSFODNN7EXAMPLE', secret_key: 'sts-secret-EXAMPLEKEY', security_token: 'FwoGZXIvYXdzEXAMPLE', arn: 'arn:aws:sts::123456789012:assumed-role/reader/team-a.reports.reports-0' },
};

const engine = (over: Partial<ResolvedVaultAwsEngine> = {}): ResolvedVaultAwsEngine => ({ kind: 'secretsEngine', mount: 'aws', role: 'reader', credentialType: 'iam_user', roleArn: undefined, ttlSeconds: undefined, ...over });

function world(spec: ResolvedVaultAwsEngine, answers: { issue: () => VaultAnswer; renew?: (call: VaultCall) => VaultAnswer }) {
  let now = Date.parse('2026-12-07T04:00:00Z');
  const calls: VaultCall[] = [];
  const events: EngineEvent[] = [];
  let logins = 0;
  const transport = (call: VaultCall): Promise<VaultAnswer> => {
    calls.push(call);
    if (call.path === 'sys/leases/renew') return Promise.resolve(answers.renew?.(call) ?? { status: 400, body: { errors: ['lease not found'] } });
    if (call.path === 'sys/leases/revoke') return Promise.resolve({ status: 204, body: undefined });
    if (call.path === 'auth/token/revoke-self') return Promise.resolve({ status: 204, body: undefined });
    return Promise.resolve(answers.issue());
  };
  const session = new VaultSession({ transport, login: () => Promise.resolve({ token: `s.token${++logins}`, renewable: false, ttlSeconds: 0 }), now: () => now, onEvent: () => undefined, revokeOnClose: true });
  const origin = new AwsEngineOrigin({ source: 'aws', spec, session, transport, sessionName: 'team-a.reports.reports-0', now: () => now, onEvent: (e) => events.push(e) });
  return { origin, calls, events, tick: (ms: number) => (now += ms), logins: () => logins };
}

describe('AWS secrets engine requests', () => {
  it('reads <mount>/creds/<role> for iam_user', () => {
    expect(issueCall(engine({ mount: 'aws-prod' }), 't', 'x')).toEqual({ method: 'GET', path: 'aws-prod/creds/reader', token: 't' });
  });

  it('writes <mount>/sts/<role> with the role ARN, the TTL and a session name naming the pod for assumed_role', () => {
    const call = issueCall(engine({ credentialType: 'assumed_role', roleArn: 'arn:aws:iam::123456789012:role/reader', ttlSeconds: 900 }), 't', 'team-a.reports.reports-0');
    expect(call).toEqual({ method: 'POST', path: 'aws/sts/reader', token: 't', body: { ttl: '900s', role_arn: 'arn:aws:iam::123456789012:role/reader', role_session_name: 'team-a.reports.reports-0' } });
  });

  it('sends neither role ARN nor session name for federation_token', () => {
    expect(issueCall(engine({ credentialType: 'federation_token', ttlSeconds: 3600 }), 't', 'x').body).toEqual({ ttl: '3600s' });
  });

  it('parses STS credentials with their session token, and IAM user keys without one', () => {
    expect(parseEngineLease(STS, 'x').credentials).toEqual({ accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'sts-secret-EXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLE' });
    expect(parseEngineLease(CREDS, 'x').credentials).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
  });

  it('refuses an answer without keys (another engine at that mount) with VAULT_ANSWER_INVALID, naming no value', () => {
    expect(() => parseEngineLease({ lease_id: 'kv/x', lease_duration: 0, data: { password: 'hunter2' } }, 'asking aws')).toThrow(/VAULT_ANSWER_INVALID|no data.access_key/);
    try {
      parseEngineLease({ lease_id: 'kv/x', lease_duration: 0, data: { password: 'hunter2' } }, 'asking aws');
    } catch (err) {
      expect((err as { code: string }).code).toBe('VAULT_ANSWER_INVALID');
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('AwsEngineOrigin', () => {
  it('issues once for concurrent calls and serves the keys until the refresh window', async () => {
    const w = world(engine(), { issue: () => ({ status: 200, body: CREDS }) });
    const [a, b] = await Promise.all([w.origin.get(), w.origin.get()]);
    expect(a).toEqual(b);
    w.tick(50 * 60_000);
    await w.origin.get();
    expect(w.calls.filter((c) => c.path === 'aws/creds/reader')).toHaveLength(1);
  });

  it('renews a renewable lease ahead of its end, and once Vault stops extending it issues new keys and revokes the old lease', async () => {
    let renewals = 0;
    const w = world(engine(), {
      issue: () => ({ status: 200, body: { ...CREDS, lease_id: `aws/creds/reader/lease-${w.calls.length}` } }),
      renew: (call) => ({ status: 200, body: { lease_id: (call.body as { lease_id: string }).lease_id, renewable: true, lease_duration: ++renewals === 1 ? 3600 : 600 } }),
    });
    await w.origin.get();
    w.tick(56 * 60_000); // inside the 5-minute refresh window
    await w.origin.get();
    await new Promise((r) => setImmediate(r));
    expect(w.calls.filter((c) => c.path === 'sys/leases/renew')).toHaveLength(1);
    w.tick(56 * 60_000);
    await w.origin.get();
    await new Promise((r) => setImmediate(r));
    w.tick(6 * 60_000); // the capped 600 s lease is now within its refresh window
    await w.origin.get();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(w.calls.filter((c) => c.path === 'aws/creds/reader')).toHaveLength(2);
    expect(w.calls.filter((c) => c.path === 'sys/leases/revoke').map((c) => c.body)).toEqual([{ lease_id: 'aws/creds/reader/lease-1' }]);
  });

  it('logs in again once when Vault refuses the token, then issues', async () => {
    let refused = false;
    const w = world(engine(), { issue: () => (refused ? { status: 200, body: CREDS } : ((refused = true), { status: 403, body: { errors: ['permission denied'] } })) });
    await expect(w.origin.get()).resolves.toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    expect(w.logins()).toBe(2);
  });

  it('fails with VAULT_PERMISSION_DENIED when the policy does not allow the role, and says why in problem()', async () => {
    const w = world(engine({ credentialType: 'assumed_role' }), { issue: () => ({ status: 403, body: { errors: ['permission denied'] } }) });
    await expect(w.origin.get()).rejects.toMatchObject({ code: 'VAULT_PERMISSION_DENIED' });
    expect(w.origin.problem()).toMatch(/^VAULT_PERMISSION_DENIED: .*aws\/sts\/reader/);
  });

  it('revokes its lease when closed', async () => {
    const w = world(engine(), { issue: () => ({ status: 200, body: CREDS }) });
    await w.origin.get();
    await w.origin.close();
    expect(w.calls.at(-1)).toMatchObject({ method: 'PUT', path: 'sys/leases/revoke', body: { lease_id: CREDS.lease_id } });
  });
});
