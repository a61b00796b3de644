import { PortcullisError } from '@portcullis/shared';
import { kvDataPath, kvMetadataPath, parseKvData, parseKvMetadata } from './kv-v2.js';
import { send } from './login.js';
import type { VaultSession } from './session.js';
import type { VaultTransport } from './vault-http.js';

export type KvEvent =
  | { readonly kind: 'loaded'; readonly version: number }
  | { readonly kind: 'failed'; readonly error: PortcullisError; readonly stillServing: boolean };

export interface VaultKvOriginOptions<T> {
  /** Source name, for messages. */
  readonly source: string;
  readonly session: VaultSession;
  readonly transport: VaultTransport;
  readonly mount: string;
  readonly path: string;
  readonly pollIntervalMs: number;
  /** The credential from the version's fields; throws VAULT_FIELD_MISSING or CREDENTIAL_INVALID. */
  readonly extract: (fields: Readonly<Record<string, unknown>>, where: string) => T;
  readonly now: () => number;
  /** Runs `fn` every `intervalMs` until cancelled (the sidecar's clock; tests call poll() themselves). */
  readonly every: (intervalMs: number, fn: () => void) => { cancel(): void };
  readonly onEvent: (event: KvEvent) => void;
}

/** Failures that end the use of a value at once: Vault said no, or the secret is gone or unusable. */
const FAIL_NOW = new Set(['VAULT_PERMISSION_DENIED', 'VAULT_SECRET_NOT_FOUND', 'VAULT_SECRET_DELETED', 'VAULT_FIELD_MISSING', 'VAULT_ANSWER_INVALID', 'CREDENTIAL_INVALID']);

/**
 * A credential in a KV version 2 secret: the metadata is read every pollIntervalMs and the data only when
 * the current version changed (a rotation is picked up within one interval). The value is held in
 * memory and `get()` never waits. While Vault cannot be reached, the value is served for as long as the
 * Vault token that read it is valid (what Vault itself granted); a refusal, a deleted version or a
 * missing field ends it at once.
 */
export class VaultKvOrigin<T> {
  private value: { readonly credential: T; readonly version: number } | undefined;
  private error: PortcullisError;
  private timer: { cancel(): void } | undefined;
  private polling: Promise<void> | undefined;
  private readonly where: string;

  constructor(private readonly opts: VaultKvOriginOptions<T>) {
    this.where = `the Vault KV secret ${opts.mount}/${opts.path} of source "${opts.source}"`;
    this.error = new PortcullisError('VAULT_UNAVAILABLE', `${this.where} has not been read yet`);
  }

  /** Reads the secret once and polls from then on; resolves after the first read, failed or not. */
  start(): Promise<void> {
    this.timer ??= this.opts.every(this.opts.pollIntervalMs, () => void this.poll());
    return this.poll();
  }

  /** The credential now; throws the VAULT_* error that keeps it from being used. */
  get(): T {
    const v = this.value;
    if (v !== undefined && this.opts.now() < (this.opts.session.validUntilMs() ?? 0)) return v.credential;
    if (v !== undefined) {
      throw new PortcullisError('VAULT_UNAVAILABLE', `${this.where} can no longer be used: the Vault token that read it has expired and Vault cannot be reached to confirm it (${this.error.message})`);
    }
    throw this.error;
  }

  /** Why the credential cannot be used now (for /readyz); undefined when it can. */
  problem(): string | undefined {
    try {
      this.get();
      return undefined;
    } catch (err) {
      return `${(err as PortcullisError).code}: ${(err as Error).message}`;
    }
  }

  /** One poll; concurrent calls share it. */
  poll(): Promise<void> {
    this.polling ??= this.read().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async read(): Promise<void> {
    try {
      const token = await this.opts.session.token();
      const { token: used, version } = await this.currentVersion(token);
      if (version.deleted) throw new PortcullisError('VAULT_SECRET_DELETED', `the current version (${version.version}) of ${this.where} is deleted or destroyed; undelete it or write a new version`);
      if (this.value?.version === version.version) return;
      const what = `reading version ${version.version} of ${this.where}`;
      const body = await send(this.opts.transport, { method: 'GET', path: kvDataPath(this.opts.mount, this.opts.path, version.version), token: used }, what, 'grant read on the data path to the Vault role\'s policy');
      const fields = parseKvData(body, what, this.opts.now());
      if (fields === 'deleted') throw new PortcullisError('VAULT_SECRET_DELETED', `version ${version.version} of ${this.where} is deleted or destroyed; undelete it or write a new version`);
      this.value = { credential: this.opts.extract(fields, `version ${version.version} of ${this.where}`), version: version.version };
      this.opts.onEvent({ kind: 'loaded', version: version.version });
    } catch (err) {
      const error = err instanceof PortcullisError ? err : new PortcullisError('VAULT_UNAVAILABLE', `${this.where}: ${(err as Error).message}`, { cause: err });
      this.error = error;
      if (FAIL_NOW.has(error.code)) this.value = undefined;
      this.opts.onEvent({ kind: 'failed', error, stillServing: this.problem() === undefined });
    }
  }

  /** The metadata, logging in again once when Vault refuses the token (revoked, or lost in a restore). */
  private async currentVersion(token: string): Promise<{ token: string; version: ReturnType<typeof parseKvMetadata> }> {
    const what = `reading the metadata of ${this.where}`;
    const fix = 'grant read on the metadata path to the Vault role\'s policy';
    const call = (t: string): Promise<unknown> => send(this.opts.transport, { method: 'GET', path: kvMetadataPath(this.opts.mount, this.opts.path), token: t }, what, fix);
    let used = token;
    let body: unknown;
    try {
      body = await call(used);
    } catch (err) {
      if ((err as PortcullisError).code !== 'VAULT_PERMISSION_DENIED') throw err;
      this.opts.session.invalidate(used);
      used = await this.opts.session.token();
      body = await call(used);
    }
    return { token: used, version: parseKvMetadata(body, what, this.opts.now()) };
  }

  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
