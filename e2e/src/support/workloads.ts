// Pods, service accounts and pod-bound tokens on a control plane without a kubelet (pods stay Pending).
import { AuthenticationV1Api, CoreV1Api, type V1Pod, type V1UserInfo } from '@kubernetes/client-node';
import { kubeConfig } from './cluster.js';

export async function createServiceAccount(namespace: string, name: string): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
}

export interface PodOptions {
  readonly serviceAccount?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Creates a minimal pod; without a kubelet it stays Pending, which is all TokenRequest needs. */
export async function createPod(namespace: string, name: string, opts: PodOptions = {}): Promise<V1Pod> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  return core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: opts.labels ?? {}, annotations: opts.annotations ?? {} },
      spec: {
        serviceAccountName: opts.serviceAccount ?? 'default',
        containers: [{ name: 'app', image: 'registry.example/app:1' }],
      },
    },
  });
}

export async function deletePod(namespace: string, name: string): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
}

/** TokenRequest for a token bound to `pod` (it dies with the pod) with the given audiences. */
export async function requestPodBoundToken(
  pod: V1Pod,
  audiences: readonly string[],
  expirationSeconds = 3600,
): Promise<string> {
  const { name, namespace, uid } = pod.metadata ?? {};
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  if (!name || !namespace || !uid) throw new Error('requestPodBoundToken needs a pod read back from the API server');
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const res = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: {
      spec: {
        audiences: [...audiences],
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid },
      },
    },
  });
  const token = res.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return token;
}

export interface TokenReviewResult {
  readonly authenticated: boolean;
  readonly user?: V1UserInfo;
  readonly audiences?: string[];
  readonly error?: string;
}

/** Asks the API server (as admin) who a token belongs to, for the given audiences. */
export async function reviewToken(token: string, audiences: readonly string[]): Promise<TokenReviewResult> {
  const auth = kubeConfig().makeApiClient(AuthenticationV1Api);
  const res = await auth.createTokenReview({ body: { spec: { token, audiences: [...audiences] } } });
  const status = res.status ?? {};
  return {
    authenticated: status.authenticated === true,
    ...(status.user ? { user: status.user } : {}),
    ...(status.audiences ? { audiences: status.audiences } : {}),
    ...(status.error ? { error: status.error } : {}),
  };
}
