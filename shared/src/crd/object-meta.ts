/**
 * The metadata of a Portcullis custom resource: the ObjectMeta fields Portcullis reads or sets. A
 * structural subset of @kubernetes/client-node's V1ObjectMeta (assignable both ways, checked in
 * object-meta.test.ts), declared here so that the pure core's types need no Kubernetes client (ADR 8).
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}
