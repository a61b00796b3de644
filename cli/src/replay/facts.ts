import { policyItemsOf, type RequestFacts, type Workload } from '@portcullis/shared';
import type { AuditLine } from '../audit/line.js';

/** Pod labels by `namespace/pod`, when the lines came from the cluster (audit lines do not record labels). */
export type PodLabels = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** What the sidecar decided on for this line: source, method, normalized path and the AWS items. */
export function factsOf(line: AuditLine): RequestFacts {
  return { source: line.source ?? '', method: line.method, path: line.path, items: line.aws ? policyItemsOf(line.aws) : [] };
}

/** The workload of a line as the policy engine sees it; labels only when known. */
export function workloadOf(line: AuditLine, labels: PodLabels | undefined): Workload | undefined {
  const w = line.workload;
  if (!w) return undefined;
  return { namespace: w.namespace, serviceAccount: w.serviceAccount, podName: w.pod, podUID: w.podUID, labels: labels?.get(`${w.namespace}/${w.pod}`) ?? {} };
}
