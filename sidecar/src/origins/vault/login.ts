import { vaultAnswerError, vaultInvalidAnswer, vaultNetworkError } from './vault-error.js';
import type { VaultCall, VaultTransport } from './vault-http.js';

/** A Vault token as the sidecar holds it (in memory only). */
export interface VaultLogin {
  readonly token: string;
  readonly renewable: boolean;
  /** Seconds the token lives from now; 0: it does not expire (a root token, laptops only). */
  readonly ttlSeconds: number;
}

/** Sends a call and returns the body of a 2xx answer; anything else becomes the VAULT_* error for it. */
export async function send(transport: VaultTransport, call: VaultCall, what: string, fix: string): Promise<unknown> {
  let answer;
  try {
    answer = await transport(call);
  } catch (err) {
    throw vaultNetworkError(err, what);
  }
  if (answer.status < 200 || answer.status > 299) throw vaultAnswerError(answer, what, fix);
  return answer.body;
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The token of a login or renew answer (`auth.client_token`, `auth.lease_duration`, `auth.renewable`). */
export function parseAuth(body: unknown, what: string): VaultLogin {
  const auth = (body as { auth?: Record<string, unknown> } | undefined)?.auth;
  const token = auth?.client_token;
  const ttl = seconds(auth?.lease_duration);
  if (typeof token !== 'string' || token === '' || ttl === undefined) throw vaultInvalidAnswer(what, 'auth.client_token and auth.lease_duration');
  return { token, renewable: auth?.renewable === true, ttlSeconds: ttl };
}

export interface KubernetesLoginInput {
  readonly mount: string;
  readonly role: string;
  /** The pod's projected token of the Vault audience, read fresh for every login (the kubelet rotates it). */
  readonly jwt: string;
}

/** auth/<mount>/login with the role and the pod's token; Vault reviews the token with the API server. */
export async function kubernetesLogin(transport: VaultTransport, input: KubernetesLoginInput): Promise<VaultLogin> {
  const what = `Kubernetes auth login at auth/${input.mount} with role ${input.role}`;
  const fix = `check that role ${input.role} binds this pod's service account and namespace and accepts the token's audience`;
  const body = await send(transport, { method: 'POST', path: `auth/${input.mount}/login`, body: { role: input.role, jwt: input.jwt } }, what, fix);
  return parseAuth(body, what);
}

/** A token given as is (standalone mode): what auth/token/lookup-self says about it. */
export async function lookupSelf(transport: VaultTransport, token: string): Promise<VaultLogin> {
  const what = 'looking up the Vault token of --vault-token-file';
  const body = await send(transport, { method: 'GET', path: 'auth/token/lookup-self', token }, what, 'log in again (vault login) and point --vault-token-file at the new token');
  const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
  const ttl = seconds(data?.ttl);
  if (ttl === undefined) throw vaultInvalidAnswer(what, 'data.ttl');
  return { token, renewable: data?.renewable === true, ttlSeconds: ttl };
}

/** auth/token/renew-self: the same token with a new TTL, at most its max TTL. */
export async function renewSelf(transport: VaultTransport, token: string, incrementSeconds: number): Promise<VaultLogin> {
  const what = 'renewing the Vault token';
  const body = await send(transport, { method: 'POST', path: 'auth/token/renew-self', token, body: { increment: `${incrementSeconds}s` } }, what, 'the sidecar logs in again');
  return parseAuth(body, what);
}

/** auth/token/revoke-self, at shutdown: the token dies with the sidecar instead of at its TTL. */
export async function revokeSelf(transport: VaultTransport, token: string): Promise<void> {
  await send(transport, { method: 'POST', path: 'auth/token/revoke-self', token }, 'revoking the Vault token', 'it expires at its TTL');
}
