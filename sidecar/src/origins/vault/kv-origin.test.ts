import { describe, expect, it } from '@jest/globals';
import type { PortcullisError } from '@portcullis/shared';
import { stringField } from './kv-v2.js';
import { VaultKvOrigin, type KvEvent } from './kv-origin.js';
import { kubernetesLogin } from './login.js';
import { VaultSession, type SessionEvent } from './session.js';
import { FakeVault } from './test-support/fake-vault.js';

function setup(vault = new FakeVault()) {
  const events: (KvEvent | SessionEvent)[] = [];
  const session = new VaultSession({
    transport: vault.transport,
    login: () => kubernetesLogin(vault.transport, { mount: 'kubernetes', role: 'r', jwt: 'pod.jwt.token-value' }),
    now: () => vault.now,
    onEvent: (e) => events.push(e),
    revokeOnClose: true,
  });
  const origin = new VaultKvOrigin<string>({
    source: 'api',
    session,
    transport: vault.transport,
    mount: 'secret',
    path: 'app/api',
    pollIntervalMs: 10_000,
    extract: (fields, where) => stringField(fields, 'key', where),
    now: () => vault.now,
    every: () => ({ cancel: () => undefined }),
    onEvent: (e) => events.push(e),
  });
  return { vault, session, origin, events };
}

const failure = (fn: () => unknown): PortcullisError => {
  try {
    fn();
  } catch (err) {
    return err as PortcullisError;
  }
  throw new Error('did not throw');
};

describe('VaultKvOrigin', () => {
  it('logs in, reads the field of the current version and reads the data again only for a new version', async () => {
    const { vault, origin } = setup();
    vault.write({ key: 'sk-one' });
    await origin.poll();
    expect(origin.get()).toBe('sk-one');
    await origin.poll();
    expect(vault.calls.filter((c) => c.startsWith('GET secret/data'))).toHaveLength(1);
    vault.write({ key: 'sk-two' });
    await origin.poll();
    expect(origin.get()).toBe('sk-two');
    expect(vault.calls.filter((c) => c.includes('/login'))).toHaveLength(1);
  });

  it('keeps serving the value through an outage while the Vault token is valid, then fails closed, then recovers', async () => {
    const { vault, origin } = setup();
    vault.write({ key: 'sk-one' });
    await origin.poll();
    vault.down = true;
    vault.now += 30_000;
    await origin.poll();
    expect(origin.get()).toBe('sk-one');
    vault.now += 31_000; // the 60 s token has expired
    await origin.poll();
    const err = failure(() => origin.get());
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(origin.problem()).toMatch(/^VAULT_UNAVAILABLE: .*token that read it has expired/);
    vault.down = false;
    vault.now += 60_000; // past the login backoff
    await origin.poll();
    expect(origin.get()).toBe('sk-one');
  });

  it('stops serving at once when the role no longer lets this pod in (not an outage)', async () => {
    const { vault, origin } = setup();
    vault.write({ key: 'sk-one' });
    await origin.poll();
    vault.tokens.clear(); // the token was revoked
    vault.loginAllowed = false;
    await origin.poll();
    const err = failure(() => origin.get());
    expect(err.code).toBe('VAULT_PERMISSION_DENIED');
    expect(err.message).toContain('service account name not authorized');
  });

  it('logs in again once when Vault refuses a token it issued (revoked), and carries on', async () => {
    const { vault, origin } = setup();
    vault.write({ key: 'sk-one' });
    await origin.poll();
    vault.tokens.clear();
    vault.write({ key: 'sk-two' });
    await origin.poll();
    expect(origin.get()).toBe('sk-two');
    expect(vault.calls.filter((c) => c.includes('/login'))).toHaveLength(2);
  });

  it('fails closed on a deleted current version instead of falling back to an older one', async () => {
    const { vault, origin } = setup();
    vault.write({ key: 'sk-one' });
    vault.write({ key: 'sk-two' });
    await origin.poll();
    const latest = vault.versions[1];
    if (latest) latest.deleted = true;
    await origin.poll();
    expect(failure(() => origin.get()).code).toBe('VAULT_SECRET_DELETED');
  });

  it('names the missing field and the fields present, never a value', async () => {
    const { vault, origin, events } = setup();
    vault.write({ apikey: 'sk-secret-value', other: 'also-secret' });
    await origin.poll();
    const err = failure(() => origin.get());
    expect(err.code).toBe('VAULT_FIELD_MISSING');
    expect(err.message).toContain('has no field "key" (it has fields "apikey", "other")');
    expect(JSON.stringify(events)).not.toMatch(/sk-secret-value|also-secret/);
  });

  it('reports VAULT_SECRET_NOT_FOUND for a path that does not exist', async () => {
    const { origin } = setup();
    await origin.poll();
    expect(failure(() => origin.get()).code).toBe('VAULT_SECRET_NOT_FOUND');
  });

  it('puts neither the Vault token nor the pod token nor the secret into any error or event', async () => {
    const { vault, origin, events } = setup();
    vault.write({ key: 'sk-never-logged' });
    await origin.poll();
    vault.down = true;
    vault.now += 61_000;
    await origin.poll();
    const text = JSON.stringify(events) + (origin.problem() ?? '') + JSON.stringify(events.map((e) => ('error' in e ? e.error.message : '')));
    expect(text).not.toMatch(/sk-never-logged|s\.faketoken|pod\.jwt\.token-value/);
  });
});

describe('VaultSession', () => {
  it('renews two thirds into the TTL and logs in again once renewal reaches the max TTL', async () => {
    const vault = new FakeVault();
    vault.tokenTtlSeconds = 60;
    vault.tokenMaxTtlSeconds = 100;
    const { session } = setup(vault);
    const first = await session.token();
    vault.now += 41_000;
    await session.token(); // starts the renewal in the background
    await new Promise((r) => setImmediate(r));
    expect(vault.calls).toContain('POST auth/token/renew-self');
    expect(session.validUntilMs()).toBe(vault.now + 59_000); // capped at the max TTL
    vault.now += 40_000;
    await session.token();
    await new Promise((r) => setImmediate(r));
    const second = await session.token();
    expect(second).not.toBe(first);
    expect(vault.calls.filter((c) => c.includes('/login'))).toHaveLength(2);
  });

  it('answers a refused login from memory until the backoff has passed', async () => {
    const vault = new FakeVault();
    vault.loginAllowed = false;
    const { session } = setup(vault);
    await expect(session.token()).rejects.toMatchObject({ code: 'VAULT_PERMISSION_DENIED' });
    await expect(session.token()).rejects.toMatchObject({ code: 'VAULT_PERMISSION_DENIED' });
    expect(vault.calls.filter((c) => c.includes('/login'))).toHaveLength(1);
    vault.loginAllowed = true;
    vault.now += 1001;
    await expect(session.token()).resolves.toMatch(/^s\./);
  });

  it('renews on its own schedule, so a token TTL shorter than the poll interval does not lapse between polls', async () => {
    const vault = new FakeVault();
    const timers: { delayMs: number; fn: () => void }[] = [];
    const session = new VaultSession({
      transport: vault.transport,
      login: () => kubernetesLogin(vault.transport, { mount: 'kubernetes', role: 'r', jwt: 'j' }),
      now: () => vault.now,
      onEvent: () => undefined,
      revokeOnClose: true,
      schedule: (delayMs, fn) => {
        timers.push({ delayMs, fn });
        return () => undefined;
      },
    });
    const token = await session.token();
    await new Promise((r) => setImmediate(r));
    expect(timers.map((t) => t.delayMs)).toEqual([40_000]); // two thirds of the 60 s TTL
    vault.now += 40_000;
    timers[0]?.fn();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(vault.calls).toContain('POST auth/token/renew-self');
    expect(session.validUntilMs()).toBe(vault.now + 60_000);
    expect(timers.at(-1)?.delayMs).toBe(40_000);
    vault.down = true;
    vault.now += 40_000;
    timers.at(-1)?.fn();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(timers.at(-1)?.delayMs).toBe(1000); // Vault down: retried after the backoff
    expect(await session.token()).toBe(token); // still valid meanwhile
  });

  it('revokes its own token when closed', async () => {
    const { vault, session } = setup();
    const token = await session.token();
    await session.close();
    expect(vault.tokens.has(token)).toBe(false);
  });
});
