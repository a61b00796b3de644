// Reading back what a Helm release put on the API server, with the built kubectl.
import { kubectl } from '../support/cluster.js';
import type { K8sObject } from './chart.js';

export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  /** undefined for cluster-scoped kinds. */
  readonly namespace?: string | undefined;
}

/** kubectl resource names, group-qualified so that no CRD in the cluster can shadow them. */
const RESOURCES: Readonly<Record<string, string>> = {
  ClusterRole: 'clusterroles.rbac.authorization.k8s.io',
  ClusterRoleBinding: 'clusterrolebindings.rbac.authorization.k8s.io',
  CustomResourceDefinition: 'customresourcedefinitions.apiextensions.k8s.io',
  MutatingWebhookConfiguration: 'mutatingwebhookconfigurations.admissionregistration.k8s.io',
  Deployment: 'deployments.apps',
  PodDisruptionBudget: 'poddisruptionbudgets.policy',
  Role: 'roles.rbac.authorization.k8s.io',
  RoleBinding: 'rolebindings.rbac.authorization.k8s.io',
  Service: 'services',
  ServiceAccount: 'serviceaccounts',
};

export const clusterScopedKinds: ReadonlySet<string> = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'MutatingWebhookConfiguration']);

function resourceOf(kind: string): string {
  const resource = RESOURCES[kind];
  if (!resource) throw new Error(`no kubectl resource known for kind ${kind}; add it to RESOURCES`);
  return resource;
}

/** The object, or undefined when it does not exist. */
export async function fetchObject(ref: ObjectRef): Promise<K8sObject | undefined> {
  const ns = ref.namespace ? ['--namespace', ref.namespace] : [];
  const result = await kubectl(['get', resourceOf(ref.kind), ref.name, ...ns, '--ignore-not-found', '-o', 'json']);
  if (result.code !== 0) throw new Error(`kubectl get ${ref.kind} ${ref.name}: ${result.stderr}`);
  return result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as K8sObject);
}

/** Every object of the kinds the chart renders that carries the release's instance label, in any namespace. */
export async function releaseObjects(release: string): Promise<ObjectRef[]> {
  const kinds = Object.keys(RESOURCES).filter((k) => k !== 'CustomResourceDefinition');
  const result = await kubectl(['get', kinds.map(resourceOf).join(','), '--all-namespaces', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json']);
  if (result.code !== 0) throw new Error(`kubectl get -l app.kubernetes.io/instance=${release}: ${result.stderr}`);
  const list = JSON.parse(result.stdout) as { items: K8sObject[] };
  return list.items.map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }));
}

export interface PodCreation {
  readonly code: number;
  readonly stderr?: string;
  readonly initContainers?: string[];
  readonly containers?: string[];
}

/** Creates a minimal pod with these annotations; on success, the container names the API server stored. */
export async function podCreation(namespace: string, name: string, annotations: Record<string, string>): Promise<PodCreation> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } };
  const result = await kubectl(['create', '-f', '-', '-o', 'json'], { namespace, input: JSON.stringify(pod) });
  if (result.code !== 0) return { code: result.code, stderr: result.stderr };
  const created = JSON.parse(result.stdout) as { spec: { initContainers?: { name: string }[]; containers: { name: string }[] } };
  return {
    code: 0,
    initContainers: (created.spec.initContainers ?? []).map((c) => c.name),
    containers: created.spec.containers.map((c) => c.name),
  };
}
