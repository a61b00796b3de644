import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { kubeConfig } from './cluster.js';

/**
 * The kill switch's RBAC (ADR 16): get/list/watch on one Pod by name. The API server authorizes a list or
 * watch with `fieldSelector=metadata.name=<pod>` against `resourceNames`, so this grants the sidecar its
 * own Pod object and no other (tested in kill-switch.e2e.test.ts). The webhook's pod-role controller
 * creates the same for injected pods (webhook/src/podrole/, pod-roles.e2e.test.ts); this is what an
 * operator who turns it off (webhook.podRoleController.enabled=false) creates, for pods made without the webhook.
 */
export async function grantOwnPodRead(namespace: string, serviceAccount: string, pod: string): Promise<void> {
  const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const name = `portcullis-pod-${pod}`;
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], resourceNames: [pod], verbs: ['get', 'list', 'watch'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  });
}
