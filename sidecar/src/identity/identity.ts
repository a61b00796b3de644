/** The workload a sidecar serves, as the API server vouched for it through TokenReview. */
export interface Identity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly podUID: string;
}

const SA_PREFIX = 'system:serviceaccount:';

export interface TokenReviewStatus {
  readonly authenticated?: boolean;
  readonly error?: string;
  readonly audiences?: string[];
  readonly user?: { readonly username?: string; readonly extra?: Record<string, string[]> };
}

/**
 * Turns a TokenReview status into an identity, or explains why it is not one: the token must be
 * authenticated for our audience, belong to a service account and be bound to a pod (name and UID).
 */
export function identityFromReview(status: TokenReviewStatus, audience: string): Identity | { problem: string } {
  if (status.authenticated !== true) {
    return { problem: `TokenReview did not authenticate the token${status.error ? `: ${status.error}` : ''}` };
  }
  if (status.audiences && !status.audiences.includes(audience)) {
    return { problem: `the token is not valid for audience "${audience}"` };
  }
  const account = serviceAccountOf(status.user?.username ?? '');
  if ('problem' in account) return account;
  const extra = status.user?.extra ?? {};
  const podName = extra['authentication.kubernetes.io/pod-name']?.[0];
  const podUID = extra['authentication.kubernetes.io/pod-uid']?.[0];
  if (!podName || !podUID) return { problem: 'the token is not bound to a pod (use a projected service-account token)' };
  return { ...account, podName, podUID };
}

function serviceAccountOf(username: string): { namespace: string; serviceAccount: string } | { problem: string } {
  if (!username.startsWith(SA_PREFIX)) return { problem: `the token belongs to "${username}", not to a service account` };
  const [namespace, serviceAccount, ...rest] = username.slice(SA_PREFIX.length).split(':');
  if (!namespace || !serviceAccount || rest.length > 0) return { problem: `unexpected service-account user name "${username}"` };
  return { namespace, serviceAccount };
}

export function isIdentity(value: Identity | { problem: string }): value is Identity {
  return !('problem' in value);
}
