import { decide, PortcullisError, type RequestItem } from '@portcullis/shared';
import type { Identity } from '../deps.js';
import type { ProxyState } from '../sources/proxy-state.js';
import type { SourceRuntime } from '../sources/runtime.js';

/** What an open tunnel was allowed on: checked again whenever the world may have changed. */
export interface TunnelGrant {
  readonly port: number;
  readonly source: SourceRuntime;
  /** The pod the identity named when the tunnel opened. */
  readonly podUID: string;
  readonly method: string;
  readonly path: string;
  readonly items: readonly RequestItem[];
}

/** The world now: what the request path would decide a new request against. */
export interface CurrentWorld {
  readonly identity: Identity | undefined;
  readonly state: ProxyState;
  /** Why the pod is suspended (its label or annotation); undefined when it is not. */
  readonly podSuspension: string | undefined;
}

/**
 * Why an open tunnel must be cut, or undefined while the upgrade would still be allowed: the identity is
 * gone or names another pod, the source on its port was removed or replaced (a new upstream or credential
 * reference), the pod or a selecting policy is suspended, or the rules now deny the upgrade request (an
 * Audit-mode would-deny keeps it). The same checks, in the same order, as a new request. Pure.
 */
export function revocationOf(grant: TunnelGrant, now: CurrentWorld): PortcullisError | undefined {
  if (!now.identity || now.identity.podUID !== grant.podUID) {
    return new PortcullisError('IDENTITY_UNAVAILABLE', 'the workload identity this tunnel was opened with is no longer verified; the tunnel was closed');
  }
  const source = now.state.source(grant.port);
  if (source !== grant.source) {
    const what = source === undefined ? 'was removed' : 'was changed';
    return new PortcullisError('SOURCE_NOT_CONFIGURED', `the CredentialSource "${grant.source.name}" on port ${grant.port} ${what}; the tunnel was closed`);
  }
  const pod = now.podSuspension;
  const policy = now.state.limits.suspendedBy;
  if (pod !== undefined || policy !== undefined) {
    const why = pod ?? `EgressPolicy ${policy ?? ''} has spec.suspend: true`;
    return new PortcullisError('SUSPENDED', `Portcullis suspended every call of this pod: ${why}; the tunnel was closed`);
  }
  const decision = decide(now.state.rules, { source: grant.source.name, method: grant.method, path: grant.path, items: grant.items });
  if (!decision.forward) {
    return new PortcullisError('POLICY_DENIED', `Portcullis no longer allows ${grant.method} ${grant.path} to source "${grant.source.name}" (${decision.reason}${decision.policy ? `, EgressPolicy ${decision.policy}` : ''}); the tunnel was closed`);
  }
  return undefined;
}
