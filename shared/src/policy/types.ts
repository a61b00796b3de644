import type { Labels } from './selector.js';

/** Who is calling: verified by TokenReview (namespace, service account, pod) plus the pod's labels. */
export interface Workload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly podUID: string;
  readonly labels: Labels;
}

/** One thing a request does; an HTTP call is one item without action, an S3 CopyObject two. */
export interface RequestItem {
  readonly action?: string;
  readonly resource?: string;
}

/** What the policy decides on: the source (by port), method, normalized path and AWS items. */
export interface RequestFacts {
  readonly source: string;
  readonly method: string;
  readonly path: string;
  readonly items: readonly RequestItem[];
}

export type DecisionReason =
  | 'allowed by rule'
  | 'denied by rule'
  | 'no rule allows it'
  | 'no EgressPolicy selects this workload for this source'
  | 'no EgressPolicy has egress rules for this workload';

export interface Decision {
  /** Forward the request? False only for an enforced denial. */
  readonly forward: boolean;
  /** What the policies say, whether or not it is enforced. */
  readonly effect: 'Allow' | 'Deny';
  readonly mode: 'Enforce' | 'Audit';
  readonly reason: DecisionReason;
  /** namespace/name of the deciding policy, or of the policies that had no allowing rule. */
  readonly policy?: string;
  readonly rule?: string;
  /** The item (AWS action/resource) that decided a denial. */
  readonly item?: RequestItem;
}
