import type { Decision } from '../types.js';
import type { CompiledHostRule, HostRules } from './compile-hosts.js';

/** What one tunnel (or absolute-form request) to a host without a source may do. */
export interface HostDecision extends Decision {
  /**
   * The allowing rule names this host without a wildcard: only then may the tunnel go to a guarded address
   * (loopback, link-local, metadata, the cluster's API server).
   */
  readonly namesHost: boolean;
}

export interface HostTarget {
  /** Normalized (normalizeHost). */
  readonly host: string;
  readonly port: number;
}

interface Match {
  readonly rule: CompiledHostRule;
  readonly exact: boolean;
}

function matchOf(rule: CompiledHostRule, target: HostTarget): Match | undefined {
  if (!rule.ports.has(target.port)) return undefined;
  let found: Match | undefined;
  for (const g of rule.hosts) {
    if (!g.test(target.host)) continue;
    if (g.exact) return { rule, exact: true };
    found = { rule, exact: false };
  }
  return found;
}

/** First matching deny, else the first allow that names the host exactly, else the first matching allow. */
function evaluate(rules: readonly CompiledHostRule[], policies: readonly string[], target: HostTarget, mode: 'Enforce' | 'Audit'): HostDecision {
  let allow: Match | undefined;
  for (const rule of rules) {
    const m = matchOf(rule, target);
    if (!m) continue;
    if (!rule.allow) {
      return { forward: mode === 'Audit', effect: 'Deny', mode, reason: 'denied by rule', policy: rule.policy, rule: rule.rule, namesHost: false };
    }
    if (!allow || (m.exact && !allow.exact)) allow = m;
  }
  if (!allow) return { forward: mode === 'Audit', effect: 'Deny', mode, reason: 'no rule allows it', policy: policies.join(', '), namesHost: false };
  return { forward: true, effect: 'Allow', mode, reason: 'allowed by rule', policy: allow.rule.policy, rule: allow.rule.rule, namesHost: allow.exact };
}

/**
 * Decides a tunnel to a host no source serves, like decide() decides calls: Enforce policies with egress
 * rules decide whenever there is one; otherwise Audit policies' verdict is recorded and the tunnel opens;
 * with no egress rule at all for the workload the tunnel is refused (default deny).
 */
export function decideHost(rules: HostRules, target: HostTarget): HostDecision {
  if (rules.enforce.length > 0) return evaluate(rules.enforce, rules.enforcePolicies, target, 'Enforce');
  if (rules.audit.length > 0) return evaluate(rules.audit, rules.auditPolicies, target, 'Audit');
  return { forward: false, effect: 'Deny', mode: 'Enforce', reason: 'no EgressPolicy has egress rules for this workload', namesHost: false };
}
