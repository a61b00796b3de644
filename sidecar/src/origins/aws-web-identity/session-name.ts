import { createHash } from 'node:crypto';

/** STS RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
export const MAX_SESSION_NAME_LENGTH = 64;
const INVALID = /[^\w+=,.@-]/g;
const HASH_LENGTH = 10;

export interface SessionWorkload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
}

/**
 * The STS role session name for a workload, so CloudTrail names the pod behind every call:
 * `<namespace>.<serviceAccount>.<pod>` when that fits and reads back unambiguously. Otherwise (too long,
 * characters STS refuses, or a `.` in the service account name that would blur where the parts split)
 * a sanitized prefix plus `@` and a hash of the exact triple: deterministic, and distinct workloads
 * never share a name (Kubernetes names cannot contain `@`, so a plain name never looks like a hashed one).
 */
export function roleSessionName(w: SessionWorkload): string {
  const plain = `${w.namespace}.${w.serviceAccount}.${w.podName}`;
  INVALID.lastIndex = 0;
  const clean = !INVALID.test(plain) && !plain.includes('@');
  if (clean && plain.length <= MAX_SESSION_NAME_LENGTH && !w.serviceAccount.includes('.')) return plain;
  const hash = createHash('sha256').update(`${w.namespace}/${w.serviceAccount}/${w.podName}`).digest('hex').slice(0, HASH_LENGTH);
  const prefix = plain.replace(INVALID, '_').slice(0, MAX_SESSION_NAME_LENGTH - HASH_LENGTH - 1);
  return `${prefix}@${hash}`;
}
