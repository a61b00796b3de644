import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { WebIdentityCredentials, type AssumeInput, type WebIdentityOptions } from './web-identity-credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-sts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function provider(overrides: Partial<WebIdentityOptions>, calls: AssumeInput[] = []): WebIdentityCredentials {
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'token-1\n');
  return new WebIdentityCredentials({
    source: 'aws',
    roleArn: 'arn:aws:iam::123456789012:role/app',
    sessionName: 'team-a.agent.agent-0',
    durationSeconds: 900,
    tokenFile,
    readText: (path) => readFile(path, 'utf8'),
    assume: (input) => {
      calls.push(input);
      return Promise.resolve({ value: { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't' }, expiresAtMs: Date.now() + 900_000 });
    },
    refreshBeforeExpiryMs: 300_000,
    now: () => Date.now(),
    onRefresh: () => undefined,
    ...overrides,
  });
}

describe('WebIdentityCredentials', () => {
  it('assumes the role with the projected token and the workload session name, once', async () => {
    const calls: AssumeInput[] = [];
    const p = provider({}, calls);
    const [a, b] = await Promise.all([p.get(), p.get()]);
    expect(a).toEqual({ accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't' });
    expect(b).toBe(a);
    expect(calls).toEqual([{ roleArn: 'arn:aws:iam::123456789012:role/app', sessionName: 'team-a.agent.agent-0', token: 'token-1', durationSeconds: 900 }]);
    expect(p.principal).toEqual({ roleArn: 'arn:aws:iam::123456789012:role/app', sessionName: 'team-a.agent.agent-0' });
    expect(p.problem()).toBeUndefined();
  });

  it('reports CREDENTIAL_UNAVAILABLE naming the role, without the token, when STS refuses', async () => {
    const reports: string[] = [];
    const p = provider({
      assume: () => Promise.reject(Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithWebIdentity'), { name: 'AccessDenied' })),
      onRefresh: (_r, d) => reports.push(d.error ?? ''),
    });
    const err = (await p.get().catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('CREDENTIAL_UNAVAILABLE');
    expect(err.message).toContain('AccessDenied: Not authorized');
    expect(err.message).toContain('arn:aws:iam::123456789012:role/app');
    expect(err.message).not.toContain('token-1');
    expect(reports).toHaveLength(1);
    expect(p.problem()).toContain('AccessDenied: Not authorized');
  });

  it('says which file is missing when the projected token is not mounted', async () => {
    const err = (await provider({ tokenFile: join(dir, 'missing') }).get().catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('CREDENTIAL_UNAVAILABLE');
    expect(err.message).toContain('missing cannot be read (ENOENT)');
  });

  it('refuses to call STS before the pod identity is verified', async () => {
    const calls: AssumeInput[] = [];
    const err = (await provider({ sessionName: undefined }, calls).get().catch((e: unknown) => e)) as { message: string };
    expect(err.message).toContain('pod identity is not verified');
    expect(calls).toHaveLength(0);
  });
});
