// An in-memory stand-in for the Vault HTTP API, answering with the JSON shapes Vault and OpenBao document
// (and that OpenBao 2.7.2 was seen to send): login, token renew/lookup/revoke, KV v2 metadata and data.
// For unit tests of the origins' logic; the e2e tests run against a real OpenBao.
import type { VaultAnswer, VaultCall, VaultTransport } from '../vault-http.js';

interface Token {
  expiresAtMs: number;
  issuedTtlSeconds: number;
  maxExpiresAtMs: number;
}

export class FakeVault {
  now = Date.parse('2026-12-07T04:00:00Z');
  down = false;
  loginAllowed = true;
  readAllowed = true;
  tokenTtlSeconds = 60;
  tokenMaxTtlSeconds = 600;
  readonly tokens = new Map<string, Token>();
  readonly calls: string[] = [];
  /** KV v2 versions of secret/<path>: fields, and whether deleted. */
  readonly versions: { data: Record<string, unknown>; deleted: boolean }[] = [];
  private issued = 0;

  write(data: Record<string, unknown>): number {
    this.versions.push({ data, deleted: false });
    return this.versions.length;
  }

  readonly transport: VaultTransport = (call) => {
    this.calls.push(`${call.method} ${call.path}`);
    if (this.down) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8200'), { code: 'ECONNREFUSED' }));
    return Promise.resolve(this.answer(call));
  };

  private denied(): VaultAnswer {
    return { status: 403, body: { errors: ['permission denied'] } };
  }

  private valid(token: string | undefined): Token | undefined {
    const t = token === undefined ? undefined : this.tokens.get(token);
    return t && this.now < t.expiresAtMs ? t : undefined;
  }

  private answer(call: VaultCall): VaultAnswer {
    const path = call.path.split('?')[0] ?? '';
    if (path.endsWith('/login')) return this.login();
    const token = this.valid(call.token);
    if (!token) return this.denied();
    if (path === 'auth/token/renew-self') {
      const ttl = Math.min(this.tokenTtlSeconds, Math.floor((token.maxExpiresAtMs - this.now) / 1000));
      token.expiresAtMs = this.now + ttl * 1000;
      return { status: 200, body: { auth: { client_token: call.token, lease_duration: ttl, renewable: true } } };
    }
    if (path === 'auth/token/lookup-self') return { status: 200, body: { data: { ttl: Math.floor((token.expiresAtMs - this.now) / 1000), renewable: true } } };
    if (path === 'auth/token/revoke-self') {
      this.tokens.delete(call.token ?? '');
      return { status: 204, body: undefined };
    }
    if (!this.readAllowed) return this.denied();
    if (path === 'secret/metadata/app/api') return this.metadata();
    if (path === 'secret/data/app/api') return this.data(Number(/version=(\d+)/.exec(call.path)?.[1]));
    return { status: 404, body: { errors: [] } };
  }

  private login(): VaultAnswer {
    if (!this.loginAllowed) return { status: 403, body: { errors: ['service account name not authorized'] } };
    const token = `s.faketoken${String(++this.issued).padStart(16, '0')}`;
    this.tokens.set(token, { expiresAtMs: this.now + this.tokenTtlSeconds * 1000, issuedTtlSeconds: this.tokenTtlSeconds, maxExpiresAtMs: this.now + this.tokenMaxTtlSeconds * 1000 });
    return { status: 200, body: { auth: { client_token: token, accessor: 'acc', lease_duration: this.tokenTtlSeconds, renewable: true, metadata: { role: 'r' } } } };
  }

  private metadata(): VaultAnswer {
    if (this.versions.length === 0) return { status: 404, body: { errors: [] } };
    const versions = Object.fromEntries(this.versions.map((v, i) => [String(i + 1), { created_time: '2026-12-07T03:13:50Z', deletion_time: v.deleted ? '2026-12-07T03:14:00Z' : '', destroyed: false }]));
    return { status: 200, body: { data: { current_version: this.versions.length, versions } } };
  }

  private data(version: number): VaultAnswer {
    const v = this.versions[version - 1];
    if (!v) return { status: 404, body: { errors: [] } };
    const metadata = { version, deletion_time: v.deleted ? '2026-12-07T03:14:00Z' : '', destroyed: false };
    if (v.deleted) return { status: 404, body: { data: { data: null, metadata } } };
    return { status: 200, body: { data: { data: v.data, metadata } } };
  }
}
