import type { AwsCredentials, ResolvedVaultAwsEngine } from '@portcullis/shared';
import { encodePath } from './kv-v2.js';
import { send } from './login.js';
import { vaultInvalidAnswer } from './vault-error.js';
import type { VaultCall, VaultTransport } from './vault-http.js';

/** Credentials of one lease of Vault's AWS secrets engine. */
export interface EngineLease {
  readonly credentials: AwsCredentials;
  /** Vault's lease ID (a secret-ish handle: never logged; used to renew and revoke). */
  readonly leaseId: string;
  readonly renewable: boolean;
  readonly leaseSeconds: number;
}

/**
 * The call that issues credentials: GET <mount>/creds/<role> for iam_user; POST <mount>/sts/<role> with
 * ttl, and for assumed_role the role ARN and a role session name naming the pod, for the STS types.
 */
export function issueCall(spec: ResolvedVaultAwsEngine, token: string, sessionName: string | undefined): VaultCall {
  const base = `${encodePath(spec.mount)}/${spec.credentialType === 'iam_user' ? 'creds' : 'sts'}/${encodeURIComponent(spec.role)}`;
  if (spec.credentialType === 'iam_user') return { method: 'GET', path: base, token };
  const body: Record<string, string> = {};
  if (spec.ttlSeconds !== undefined) body.ttl = `${spec.ttlSeconds}s`;
  if (spec.credentialType === 'assumed_role') {
    if (spec.roleArn !== undefined) body.role_arn = spec.roleArn;
    if (sessionName !== undefined) body.role_session_name = sessionName;
  }
  return { method: 'POST', path: base, token, body };
}

/** Parses the engine's answer: `data.access_key`, `data.secret_key`, `data.security_token` (STS), lease fields. */
export function parseEngineLease(body: unknown, what: string): EngineLease {
  const b = body as { lease_id?: unknown; renewable?: unknown; lease_duration?: unknown; data?: Record<string, unknown> } | undefined;
  const data = b?.data;
  const accessKeyId = data?.access_key;
  const secretAccessKey = data?.secret_key;
  const sessionToken = data?.security_token;
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw vaultInvalidAnswer(what, 'data.access_key and data.secret_key (is the mount an AWS secrets engine?)');
  }
  if (typeof b?.lease_id !== 'string' || typeof b.lease_duration !== 'number') throw vaultInvalidAnswer(what, 'lease_id and lease_duration');
  const credentials: AwsCredentials = typeof sessionToken === 'string' && sessionToken !== '' ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  return { credentials, leaseId: b.lease_id, renewable: b.renewable === true, leaseSeconds: b.lease_duration };
}

/** Issues new credentials. */
export async function issue(transport: VaultTransport, spec: ResolvedVaultAwsEngine, token: string, sessionName: string | undefined, source: string): Promise<EngineLease> {
  const what = `asking Vault's AWS secrets engine (${spec.mount}, role ${spec.role}, ${spec.credentialType}) for credentials of source "${source}"`;
  const body = await send(transport, issueCall(spec, token, sessionName), what, `grant ${spec.credentialType === 'iam_user' ? 'read' : 'update'} on ${spec.mount}/${spec.credentialType === 'iam_user' ? 'creds' : 'sts'}/${spec.role} to the Vault role's policy`);
  return parseEngineLease(body, what);
}

/** sys/leases/renew: the lease's new duration (Vault caps it at the role's max TTL). */
export async function renewLease(transport: VaultTransport, token: string, leaseId: string, incrementSeconds: number): Promise<number> {
  const what = 'renewing an AWS secrets engine lease';
  const body = await send(transport, { method: 'PUT', path: 'sys/leases/renew', token, body: { lease_id: leaseId, increment: incrementSeconds } }, what, 'new credentials are issued instead');
  const seconds = (body as { lease_duration?: unknown } | undefined)?.lease_duration;
  if (typeof seconds !== 'number') throw vaultInvalidAnswer(what, 'lease_duration');
  return seconds;
}

/** sys/leases/revoke: Vault deletes the IAM user (or forgets the STS credentials) now. */
export async function revokeLease(transport: VaultTransport, token: string, leaseId: string): Promise<void> {
  await send(transport, { method: 'PUT', path: 'sys/leases/revoke', token, body: { lease_id: leaseId } }, 'revoking an AWS secrets engine lease', 'it ends at its TTL');
}
