import { describe, expect, it } from '@jest/globals';
import { AuthorizationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { isHealthy, readState } from '../cluster/control-plane.js';
import { clusterEnv, createNamespace, kubeConfig, kubectl } from '../support/cluster.js';
import { createPod, createServiceAccount, deletePod, requestPodBoundToken, reviewToken } from '../support/workloads.js';

describe('local control plane', () => {
  it('serves the Kubernetes version it was built from', async () => {
    const res = await kubectl(['version', '-o', 'json']);
    expect(res.code).toBe(0);
    const version = JSON.parse(res.stdout) as { serverVersion: { gitVersion: string; minor: string } };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect(version.serverVersion.minor).toBe('34');
    expect(clusterEnv().version).toBe(version.serverVersion.gitVersion);
  });

  it('is still taken for alive while its API server is slow to answer, so a second start reuses it instead of wiping etcd', async () => {
    const dir = process.env.PORTCULLIS_E2E_CLUSTER_DIR ?? '';
    const apiserver = readState(dir)?.processes.find((p) => p.name === 'kube-apiserver');
    expect(apiserver).toBeDefined();
    const pid = apiserver?.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    try {
      expect(await isHealthy(dir)).toBe(false); // one /readyz (2 s) misses while it is frozen
      setTimeout(() => process.kill(pid, 'SIGCONT'), 1_000);
      expect(await isHealthy(dir, 20_000)).toBe(true);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 30_000);

  it('listens on loopback only', () => {
    expect(new URL(clusterEnv().server).hostname).toBe('127.0.0.1');
  });

  it('authorizes with RBAC: a fresh service account may not list secrets', async () => {
    const ns = await createNamespace('rbac');
    await createServiceAccount(ns, 'nobody');
    const authz = kubeConfig().makeApiClient(AuthorizationV1Api);
    const review = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${ns}:nobody`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`],
          resourceAttributes: { namespace: ns, verb: 'list', resource: 'secrets' },
        },
      },
    });
    expect(review.status?.allowed).toBe(false);
  });
});

describe('pod-bound service-account tokens', () => {
  it('issues a token for a Pending pod that TokenReview maps to the pod name and UID', async () => {
    const ns = await createNamespace('token');
    await createServiceAccount(ns, 'reports');
    const pod = await createPod(ns, 'reports-0', { serviceAccount: 'reports' });
    expect(pod.status?.phase ?? 'Pending').toBe('Pending');

    const token = await requestPodBoundToken(pod, ['portcullis'], 600);
    const review = await reviewToken(token, ['portcullis']);

    expect(review.authenticated).toBe(true);
    expect(review.audiences).toEqual(['portcullis']);
    expect(review.user?.username).toBe(`system:serviceaccount:${ns}:reports`);
    expect(review.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual(['reports-0']);
    expect(review.user?.extra?.['authentication.kubernetes.io/pod-uid']).toEqual([pod.metadata?.uid]);
  });

  it('refuses the token for another audience', async () => {
    const ns = await createNamespace('token-aud');
    const pod = await createPod(ns, 'app');
    const token = await requestPodBoundToken(pod, ['portcullis'], 600);
    const review = await reviewToken(token, ['sts.amazonaws.com']);
    expect(review.authenticated).toBe(false);
  });

  it('refuses the token once its pod is deleted', async () => {
    const ns = await createNamespace('token-del');
    const pod = await createPod(ns, 'short-lived');
    const token = await requestPodBoundToken(pod, ['portcullis'], 600);
    expect((await reviewToken(token, ['portcullis'])).authenticated).toBe(true);

    await deletePod(ns, 'short-lived');
    // kube-apiserver caches successful token authentications for 10 s, so refusal may lag that long.
    const deadline = Date.now() + 20_000;
    let review = await reviewToken(token, ['portcullis']);
    while (review.authenticated && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      review = await reviewToken(token, ['portcullis']);
    }
    expect(review.authenticated).toBe(false);
    expect(review.error ?? '').toMatch(/not found|deleted|invalid|does not match/i);
  }, 30_000);

  it('lets a pod-bound token of the API audience authenticate (403 by RBAC, not 401)', async () => {
    const ns = await createNamespace('token-api');
    const pod = await createPod(ns, 'app');
    // The API server's own audience (its issuer): the kind of token the sidecar uses for its API access.
    const token = await requestPodBoundToken(pod, [clusterEnv().serviceAccountIssuer]);
    const admin = kubeConfig();
    const cluster = admin.getCurrentCluster();
    if (!cluster) throw new Error('admin kubeconfig has no cluster');
    const asPod = new KubeConfig();
    asPod.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'pod', token }],
      contexts: [{ name: 'pod', cluster: cluster.name, user: 'pod' }],
      currentContext: 'pod',
    });
    await expect(asPod.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({
      code: 403,
    });
  });
});
