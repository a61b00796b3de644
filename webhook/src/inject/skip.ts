import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATIONS } from './annotations.js';

/** Why a pod was not injected. Bounded: these are metric label values. */
export type SkipReason = 'NotRequested' | 'ExcludedNamespace' | 'HostNetwork' | 'InvalidAnnotation';

export interface Skip {
  readonly reason: SkipReason;
  readonly message: string;
  /** The pod asked for injection: record the reason on it and warn the user. */
  readonly asked: boolean;
}

/**
 * Whether to leave the pod alone, checked in this order: excluded namespaces are never touched (not even
 * an annotation), pods that did not ask are untouched, and hostNetwork pods are refused because the
 * proxy would listen on the node's loopback, reachable by every host-network pod on the node.
 */
export function skipOf(pod: V1Pod, namespace: string, excludedNamespaces: ReadonlySet<string>): Skip | undefined {
  if (excludedNamespaces.has(namespace)) {
    return { reason: 'ExcludedNamespace', message: `namespace ${namespace} is excluded from injection`, asked: false };
  }
  const value = pod.metadata?.annotations?.[ANNOTATIONS.inject];
  if (value === undefined || value === 'false') {
    return { reason: 'NotRequested', message: `no ${ANNOTATIONS.inject}: "true" annotation`, asked: false };
  }
  if (value !== 'true') {
    return {
      reason: 'InvalidAnnotation',
      message: `${ANNOTATIONS.inject} is ${JSON.stringify(value)}; set it to "true" to inject the proxy or "false" to opt out`,
      asked: true,
    };
  }
  if (pod.spec?.hostNetwork === true) {
    return {
      reason: 'HostNetwork',
      message: 'hostNetwork pods are not injected: the proxy would listen on the node\'s loopback, open to every host-network pod',
      asked: true,
    };
  }
  return undefined;
}
