import type { EgressPolicy } from '../../crd/index.js';
import type { Valid } from '../../crd/validate/valid.js';
import { selects } from '../compile.js';
import type { Workload } from '../types.js';
import { hostGlob, type HostGlob } from './host-glob.js';

/** The ports a rule without `ports` matches: HTTPS only. */
export const DEFAULT_EGRESS_PORTS: readonly number[] = [443];

export interface CompiledHostRule {
  readonly policy: string;
  readonly rule: string;
  readonly allow: boolean;
  readonly hosts: readonly HostGlob[];
  readonly ports: ReadonlySet<number>;
}

/** The egress rules that apply to one workload, by mode, in policy order (by name) then rule order. */
export interface HostRules {
  readonly enforce: readonly CompiledHostRule[];
  readonly audit: readonly CompiledHostRule[];
  /** namespace/name of the Enforce policies with egress rules (named in a default-deny refusal). */
  readonly enforcePolicies: readonly string[];
  readonly auditPolicies: readonly string[];
}

export const NO_HOST_RULES: HostRules = { enforce: [], audit: [], enforcePolicies: [], auditPolicies: [] };

/**
 * Compiles the `spec.egress` rules of the EgressPolicies that select the workload; run on every policy
 * change, never per tunnel. Only validated policies are accepted.
 */
export function compileHostRules(policies: readonly Valid<EgressPolicy>[], workload: Workload): HostRules {
  const enforce: CompiledHostRule[] = [];
  const audit: CompiledHostRule[] = [];
  const enforcePolicies: string[] = [];
  const auditPolicies: string[] = [];
  const sorted = [...policies].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const policy of sorted) {
    const egress = policy.spec.egress;
    if (egress === undefined || egress.length === 0 || !selects(policy, workload)) continue;
    const name = `${policy.metadata.namespace ?? workload.namespace}/${policy.metadata.name ?? ''}`;
    const isAudit = policy.spec.mode === 'Audit';
    (isAudit ? auditPolicies : enforcePolicies).push(name);
    egress.forEach((r, i) => {
      (isAudit ? audit : enforce).push({
        policy: name,
        rule: r.name ?? `egress[${i}]`,
        allow: r.effect === 'Allow',
        hosts: r.hosts.map(hostGlob),
        ports: new Set(r.ports ?? DEFAULT_EGRESS_PORTS),
      });
    });
  }
  return { enforce, audit, enforcePolicies, auditPolicies };
}
