import {
  PortcullisError,
  type AwsCredentials,
  type ResolvedAwsSource,
  type ResolvedHttpSource,
  type ResolvedVaultAwsOrigin,
  type ResolvedVaultConnection,
  type ResolvedVaultHttpOrigin,
} from '@portcullis/shared';
import { injectionCharset } from '../../inject/http-injection.js';
import { sessionNameOf } from '../aws-web-identity/key.js';
import { credentialFromFile, credentialValueProblem, type CredentialCharset } from '../credential-value.js';
import type { Origin, OriginDeps } from '../origin.js';
import { AwsEngineOrigin } from './aws-engine-origin.js';
import { stringField } from './kv-v2.js';
import { VaultKvOrigin } from './kv-origin.js';
import { kubernetesLogin, lookupSelf } from './login.js';
import { VaultSession } from './session.js';
import { vaultHttp, type VaultTransport } from './vault-http.js';

/** Every call to Vault must be answered within this. */
const VAULT_TIMEOUT_MS = 5_000;

function operationOf(method: string, path: string): string {
  if (path.endsWith('/login')) return 'login';
  if (path.startsWith('auth/token/renew-self')) return 'renew';
  if (path.startsWith('auth/token/revoke-self')) return 'revoke';
  if (path.startsWith('auth/token/lookup-self')) return 'lookup';
  if (path.startsWith('sys/leases/renew')) return 'lease_renew';
  if (path.startsWith('sys/leases/revoke')) return 'lease_revoke';
  if (path.includes('/metadata/')) return 'kv_metadata';
  if (path.includes('/data/')) return 'kv_data';
  if (path.includes('/creds/')) return 'aws_creds';
  return path.includes('/sts/') ? 'aws_sts' : method.toLowerCase();
}

async function readSecretFile(deps: OriginDeps, path: string, what: string): Promise<string> {
  try {
    return credentialFromFile(await deps.files.readText(path)).trim();
  } catch (err) {
    throw new PortcullisError('VAULT_UNAVAILABLE', `${what} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check that the pod has the portcullis-vault projected volume`, { cause: err });
  }
}

interface VaultClient {
  readonly transport: VaultTransport;
  readonly session: VaultSession;
  close(): void;
}

/** The HTTP client (counted in metrics) and the token session of one source. */
function vaultClient(source: string, conn: ResolvedVaultConnection, deps: OriginDeps): VaultClient {
  const w = deps.workload;
  const workload = w ? `${w.namespace}/${w.serviceAccount}/${w.podName}` : undefined;
  const http = vaultHttp({ connection: conn, workload: () => workload, timeoutMs: VAULT_TIMEOUT_MS });
  const transport: VaultTransport = async (call) => {
    const operation = operationOf(call.method, call.path);
    try {
      const answer = await http.transport(call);
      deps.metrics.vaultRequests.inc({ source, operation, result: `${Math.floor(answer.status / 100)}xx` });
      return answer;
    } catch (err) {
      deps.metrics.vaultRequests.inc({ source, operation, result: 'error' });
      throw err;
    }
  };
  const tokenFile = deps.vaultTokenFile;
  const login = tokenFile !== undefined
    ? async () => lookupSelf(transport, await readSecretFile(deps, tokenFile, 'the Vault token file'))
    : async () => kubernetesLogin(transport, { mount: conn.auth.mount, role: conn.auth.role, jwt: await readSecretFile(deps, deps.vaultJwtFile, 'the Vault service account token') });
  let failing = false;
  const session = new VaultSession({
    transport,
    login,
    now: () => deps.clock.now().getTime(),
    revokeOnClose: tokenFile === undefined,
    schedule: (delayMs, fn) => {
      const timer = deps.clock.after(delayMs, fn);
      return () => timer.cancel();
    },
    onEvent: (e) => {
      if (e.kind === 'login' || e.kind === 'renewed') {
        if (e.kind === 'login') deps.log.info({ source, vault: conn.address.origin, role: conn.auth.role, ttlSeconds: e.ttlSeconds }, failing ? 'Vault login succeeded again' : 'Vault login succeeded');
        failing = false;
        return;
      }
      const fields = { source, code: e.kind === 'renew-failed' ? 'VAULT_RENEW_FAILED' : e.error.code, problem: e.error.message };
      if (failing) deps.log.debug(fields, 'Vault login still failing');
      else deps.log.warn(fields, e.kind === 'renew-failed' ? 'renewing the Vault token failed; keeping it until it expires' : 'Vault login failed; retrying with backoff');
      failing = true;
    },
  });
  return {
    transport,
    session,
    close: () => {
      session.close().catch((err: unknown) => deps.log.warn({ source, code: 'VAULT_REVOKE_FAILED', problem: (err as Error).message }, 'revoking the Vault token failed'));
      // Let the revocation go out before the pool closes its sockets.
      deps.clock.after(1_000, () => http.close());
    },
  };
}

/** A KV-backed origin: the first read may still be in flight when the first request arrives. */
class VaultKv<T> implements Origin<T> {
  private first: Promise<void> | undefined;

  constructor(
    private readonly kv: VaultKvOrigin<T>,
    private readonly client: VaultClient,
    readonly principal: Readonly<Record<string, string>>,
  ) {
    this.first = kv.start().finally(() => {
      this.first = undefined;
    });
  }

  get(): T | Promise<T> {
    return this.first ? this.first.then(() => this.kv.get()) : this.kv.get();
  }

  problem(): string | undefined {
    return this.first ? 'the Vault secret is being read' : this.kv.problem();
  }

  close(): void {
    this.kv.close();
    this.client.close();
  }
}

function kvEvents(source: string, path: string, deps: OriginDeps): ConstructorParameters<typeof VaultKvOrigin>[0]['onEvent'] {
  let failing = false;
  return (e) => {
    deps.metrics.credentialReloads.inc({ source, result: e.kind });
    if (e.kind === 'loaded') {
      deps.log.info({ source, path, version: e.version }, 'credential loaded from Vault');
      failing = false;
      return;
    }
    const fields = { source, path, code: e.error.code, problem: e.error.message, stillServing: e.stillServing };
    if (failing) deps.log.debug(fields, 'Vault secret still unavailable');
    else deps.log.warn(fields, e.stillServing ? 'Vault secret unavailable; serving the value read before while the Vault token is valid' : 'Vault secret unavailable');
    failing = true;
  };
}

function checked(value: string, charset: CredentialCharset, where: string): string {
  const reason = credentialValueProblem(value, charset);
  if (reason !== undefined) throw new PortcullisError('CREDENTIAL_INVALID', `${where} cannot be used: ${reason}; fix the value in Vault`);
  return value;
}

/**
 * Until the pod identity is verified the sidecar does not call Vault: every call it makes names the pod
 * (X-Portcullis-Workload) for Vault's audit log. The source is re-opened once the identity is known.
 */
class AwaitingIdentity implements Origin<never> {
  readonly principal: Readonly<Record<string, string>> = {};
  private readonly error: PortcullisError;

  constructor(source: string) {
    this.error = new PortcullisError('VAULT_UNAVAILABLE', `source "${source}" does not call Vault before the pod identity is verified, so that Vault's audit log can name the pod`);
  }

  get(): never {
    throw this.error;
  }

  problem(): string {
    return `${this.error.code}: ${this.error.message}`;
  }

  close(): void {}
}

/** The Vault origin of an http source: one field of a KV v2 secret. */
export function openVaultHttp(resolved: ResolvedHttpSource, spec: ResolvedVaultHttpOrigin, deps: OriginDeps): Origin<string> {
  if (deps.workload === undefined) return new AwaitingIdentity(resolved.name);
  const client = vaultClient(resolved.name, spec, deps);
  const charset = injectionCharset(resolved.injection);
  const kv = new VaultKvOrigin<string>({
    source: resolved.name,
    session: client.session,
    transport: client.transport,
    mount: spec.kv.mount,
    path: spec.kv.path,
    pollIntervalMs: spec.kv.pollIntervalMs,
    extract: (fields, where) => checked(stringField(fields, spec.kv.field, where), charset, `field ${JSON.stringify(spec.kv.field)} of ${where}`),
    now: () => deps.clock.now().getTime(),
    every: deps.clock.every,
    onEvent: kvEvents(resolved.name, `${spec.kv.mount}/${spec.kv.path}`, deps),
  });
  return new VaultKv(kv, client, { vault: spec.address.origin, vaultRole: spec.auth.role, secret: `${spec.kv.mount}/${spec.kv.path}` });
}

class VaultEngine implements Origin<AwsCredentials> {
  constructor(
    private readonly engine: AwsEngineOrigin,
    private readonly client: VaultClient,
  ) {
    engine.prefetch();
  }

  get principal(): Readonly<Record<string, string>> {
    return this.engine.principal;
  }

  get(): Promise<AwsCredentials> {
    return this.engine.get();
  }

  problem(): string | undefined {
    return this.engine.problem();
  }

  close(): void {
    // Revoke the lease first, with the session's token, then the token itself.
    void this.engine.close().finally(() => this.client.close());
  }
}

/** The Vault origin of an aws source: access keys in a KV v2 secret, or Vault's AWS secrets engine. */
export function openVaultAws(resolved: ResolvedAwsSource, spec: ResolvedVaultAwsOrigin, deps: OriginDeps): Origin<AwsCredentials> {
  if (deps.workload === undefined) return new AwaitingIdentity(resolved.name);
  const client = vaultClient(resolved.name, spec, deps);
  const secret = spec.secret;
  if (secret.kind === 'secretsEngine') {
    const engine = new AwsEngineOrigin({
      source: resolved.name,
      spec: secret,
      session: client.session,
      transport: client.transport,
      sessionName: sessionNameOf(deps),
      now: () => deps.clock.now().getTime(),
      onEvent: (e) => {
        if ('error' in e) {
          const failed = e.kind === 'failed';
          if (failed) deps.metrics.credentialReloads.inc({ source: resolved.name, result: 'failed' });
          deps.log.warn({ source: resolved.name, code: failed ? e.error.code : 'VAULT_REVOKE_FAILED', problem: e.error.message }, failed ? 'AWS credentials from Vault unavailable' : 'revoking a Vault lease failed');
          return;
        }
        deps.metrics.credentialReloads.inc({ source: resolved.name, result: 'loaded' });
        deps.log.info({ source: resolved.name, vaultRole: `${secret.mount}/${secret.role}`, leaseSeconds: e.leaseSeconds }, e.kind === 'issued' ? 'AWS credentials issued by Vault' : 'Vault lease renewed');
      },
    });
    return new VaultEngine(engine, client);
  }
  const kv = new VaultKvOrigin<AwsCredentials>({
    source: resolved.name,
    session: client.session,
    transport: client.transport,
    mount: secret.mount,
    path: secret.path,
    pollIntervalMs: secret.pollIntervalMs,
    extract: (fields, where) => {
      const field = (name: string): string => checked(stringField(fields, name, where), 'header', `field ${JSON.stringify(name)} of ${where}`);
      const keys = { accessKeyId: field(secret.accessKeyIdField), secretAccessKey: field(secret.secretAccessKeyField) };
      return secret.sessionTokenField === undefined ? keys : { ...keys, sessionToken: field(secret.sessionTokenField) };
    },
    now: () => deps.clock.now().getTime(),
    every: deps.clock.every,
    onEvent: kvEvents(resolved.name, `${secret.mount}/${secret.path}`, deps),
  });
  return new VaultKv(kv, client, { vault: spec.address.origin, vaultRole: spec.auth.role, secret: `${secret.mount}/${secret.path}` });
}
