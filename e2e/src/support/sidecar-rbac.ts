import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { kubeConfig } from './cluster.js';

/**
 * The sidecar's permissions as the Helm chart grants them: read CredentialSources and EgressPolicies in
 * its namespace and create TokenReviews — nothing on Secrets.
 */
export async function grantSidecarAccess(namespace: string, serviceAccount: string): Promise<void> {
  const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const subject = { kind: 'ServiceAccount', name: serviceAccount, namespace };
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: 'portcullis-sidecar' },
      rules: [{ apiGroups: ['portcullis.dev'], resources: ['credentialsources', 'egresspolicies'], verbs: ['get', 'list', 'watch'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `portcullis-sidecar-${serviceAccount}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'portcullis-sidecar' },
      subjects: [subject],
    },
  });
  const clusterRole = 'portcullis-e2e-tokenreview';
  await rbac
    .createClusterRole({
      body: { metadata: { name: clusterRole }, rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }] },
    })
    .catch((err: { code?: number }) => {
      if (err.code !== 409) throw err;
    });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: `${clusterRole}-${namespace}-${serviceAccount}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [subject],
    },
  });
}
