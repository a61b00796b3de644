import { DEFAULT_VAULT_AUDIENCE } from '../../contract/pod.js';
import type { AwsVaultOrigin, HttpVaultOrigin } from '../../crd/index.js';

/** Where Vault is and how the sidecar logs in: the part every Vault origin shares. */
export interface ResolvedVaultConnection {
  /** scheme://host[:port] of Vault or OpenBao. */
  readonly address: URL;
  /** X-Vault-Namespace (Enterprise); undefined: none. */
  readonly namespace: string | undefined;
  readonly caBundle: string | undefined;
  /** Kubernetes auth: auth/<mount>/login with <role> and a projected token of <tokenAudience>. */
  readonly auth: { readonly mount: string; readonly role: string; readonly tokenAudience: string };
}

/** A KV version 2 secret, polled for a new version. */
export interface ResolvedKvSecret {
  readonly mount: string;
  readonly path: string;
  readonly pollIntervalMs: number;
}

/** spec.http.vault: one field of a KV v2 secret is the API key. */
export interface ResolvedVaultHttpOrigin extends ResolvedVaultConnection {
  readonly kind: 'vault';
  readonly kv: ResolvedKvSecret & { readonly field: string };
}

export interface ResolvedVaultAwsKv extends ResolvedKvSecret {
  readonly kind: 'kv';
  readonly accessKeyIdField: string;
  readonly secretAccessKeyField: string;
  readonly sessionTokenField: string | undefined;
}

export type VaultAwsCredentialType = 'iam_user' | 'assumed_role' | 'federation_token';

/** Vault's AWS secrets engine: <mount>/creds/<role> (iam_user) or <mount>/sts/<role> (STS types). */
export interface ResolvedVaultAwsEngine {
  readonly kind: 'secretsEngine';
  readonly mount: string;
  readonly role: string;
  readonly credentialType: VaultAwsCredentialType;
  readonly roleArn: string | undefined;
  readonly ttlSeconds: number | undefined;
}

/** spec.aws.vault: access keys from a KV v2 secret or from the AWS secrets engine. */
export interface ResolvedVaultAwsOrigin extends ResolvedVaultConnection {
  readonly kind: 'vault';
  readonly secret: ResolvedVaultAwsKv | ResolvedVaultAwsEngine;
}

export const DEFAULT_VAULT_KV_MOUNT = 'secret';
export const DEFAULT_VAULT_AUTH_MOUNT = 'kubernetes';
export const DEFAULT_VAULT_AWS_MOUNT = 'aws';
export const DEFAULT_VAULT_POLL_INTERVAL_SECONDS = 30;
/** The KV fields AWS keys are read from when spec.aws.vault.kv names none (as staticKeys' Secret keys). */
export const DEFAULT_VAULT_AWS_FIELDS = { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY' } as const;

const MOUNT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
const KV_PATH = /^[A-Za-z0-9_.@=+-]+(\/[A-Za-z0-9_.@=+-]+)*$/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;
const ROLE = /^[A-Za-z0-9_.@-]+$/;

function checkAddress(text: string, allowPlaintext: boolean, field: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${field}.address ${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPlaintext)) {
    return `${field}.address must use https:// (got ${url.protocol}//); set allowPlaintext only for tests`;
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    return `${field}.address must be scheme://host[:port] without a path, user info, query or fragment`;
  }
  return new URL(url.origin);
}

function connection(spec: HttpVaultOrigin | AwsVaultOrigin, field: string): ResolvedVaultConnection | string {
  const address = checkAddress(spec.address, spec.allowPlaintext === true, field);
  if (typeof address === 'string') return address;
  if (spec.caBundle !== undefined && address.protocol !== 'https:') return `${field}.caBundle only applies to an https:// address`;
  const k = spec.auth.kubernetes;
  const mount = k.mount ?? DEFAULT_VAULT_AUTH_MOUNT;
  if (!MOUNT.test(mount)) return `${field}.auth.kubernetes.mount ${JSON.stringify(mount)} is not a mount path (letters, digits, _ . - and inner /)`;
  if (!ROLE.test(k.role)) return `${field}.auth.kubernetes.role ${JSON.stringify(k.role)} is not a role name (letters, digits and _ . @ -)`;
  return {
    address,
    namespace: spec.namespace,
    caBundle: spec.caBundle,
    auth: { mount, role: k.role, tokenAudience: k.tokenAudience ?? DEFAULT_VAULT_AUDIENCE },
  };
}

function kvSecret(kv: { mount?: string; path: string; pollIntervalSeconds?: number }, field: string): ResolvedKvSecret | string {
  const mount = kv.mount ?? DEFAULT_VAULT_KV_MOUNT;
  if (!MOUNT.test(mount)) return `${field}.kv.mount ${JSON.stringify(mount)} is not a mount path`;
  if (!KV_PATH.test(kv.path) || DOT_SEGMENT.test(kv.path)) return `${field}.kv.path ${JSON.stringify(kv.path)} is not a secret path (no leading or trailing /, no . or .. segments)`;
  const seconds = kv.pollIntervalSeconds ?? DEFAULT_VAULT_POLL_INTERVAL_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600) return `${field}.kv.pollIntervalSeconds must be 5..3600`;
  return { mount, path: kv.path, pollIntervalMs: seconds * 1000 };
}

/** Resolves spec.http.vault; a string is what is wrong with it. */
export function resolveHttpVault(spec: HttpVaultOrigin): ResolvedVaultHttpOrigin | string {
  const field = 'spec.http.vault';
  const conn = connection(spec, field);
  if (typeof conn === 'string') return conn;
  const kv = kvSecret(spec.kv, field);
  if (typeof kv === 'string') return kv;
  return { kind: 'vault', ...conn, kv: { ...kv, field: spec.kv.field } };
}

/** Resolves spec.aws.vault; a string is what is wrong with it. */
export function resolveAwsVault(spec: AwsVaultOrigin): ResolvedVaultAwsOrigin | string {
  const field = 'spec.aws.vault';
  const conn = connection(spec, field);
  if (typeof conn === 'string') return conn;
  if ((spec.kv === undefined) === (spec.secretsEngine === undefined)) return `${field} needs exactly one of kv or secretsEngine`;
  if (spec.kv) {
    const kv = kvSecret(spec.kv, field);
    if (typeof kv === 'string') return kv;
    return {
      kind: 'vault',
      ...conn,
      secret: {
        kind: 'kv',
        ...kv,
        accessKeyIdField: spec.kv.accessKeyIdField ?? DEFAULT_VAULT_AWS_FIELDS.accessKeyId,
        secretAccessKeyField: spec.kv.secretAccessKeyField ?? DEFAULT_VAULT_AWS_FIELDS.secretAccessKey,
        sessionTokenField: spec.kv.sessionTokenField,
      },
    };
  }
  const engine = spec.secretsEngine;
  if (!engine) return `${field} needs exactly one of kv or secretsEngine`;
  const mount = engine.mount ?? DEFAULT_VAULT_AWS_MOUNT;
  if (!MOUNT.test(mount)) return `${field}.secretsEngine.mount ${JSON.stringify(mount)} is not a mount path`;
  if (!ROLE.test(engine.role)) return `${field}.secretsEngine.role ${JSON.stringify(engine.role)} is not a role name`;
  const credentialType = engine.credentialType ?? 'iam_user';
  if (engine.roleArn !== undefined && credentialType !== 'assumed_role') return `${field}.secretsEngine.roleArn only applies to credentialType assumed_role`;
  return {
    kind: 'vault',
    ...conn,
    secret: { kind: 'secretsEngine', mount, role: engine.role, credentialType, roleArn: engine.roleArn, ttlSeconds: engine.ttlSeconds },
  };
}
