import type { EgressPolicy, EgressPolicyRule } from '../crd/index.js';
import type { Valid } from '../crd/validate/valid.js';
import { ruleFilter, type RuleFilter } from './candidates.js';
import { iamGlob, pathGlob, type Glob } from './glob.js';
import { matchesSelector } from './selector.js';
import type { Workload } from './types.js';

export interface CompiledRule {
  readonly policy: string;
  readonly rule: string;
  readonly allow: boolean;
  readonly source: string;
  /** undefined: any method. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly paths: readonly Glob[] | undefined;
  readonly actions: readonly Glob[] | undefined;
  readonly resources: readonly Glob[] | undefined;
}

/** The rules that apply to one workload, split by mode and indexed by source name ('*' kept apart). */
export interface WorkloadRules {
  readonly enforce: RuleIndex;
  readonly audit: RuleIndex;
}

export interface RuleIndex {
  /** Rules for `source`, in policy order (by namespace/name), then rule order, '*' rules included. */
  forSource(source: string): readonly CompiledRule[];
  /** Names of the policies that contributed any rule for `source`. */
  policiesFor(source: string): readonly string[];
  /** Narrows forSource(source) to the rules a request could match (see candidates.ts). */
  filterFor(source: string): RuleFilter;
}

function compileRule(policy: string, rule: EgressPolicyRule, index: number): CompiledRule {
  const methods = rule.methods && !rule.methods.includes('*') ? new Set<string>(rule.methods) : undefined;
  return {
    policy,
    rule: rule.name ?? `rules[${index}]`,
    allow: rule.effect === 'Allow',
    source: rule.source,
    methods,
    paths: rule.paths?.map(pathGlob),
    actions: rule.actions?.map((a) => iamGlob(a, true)),
    resources: rule.resources?.map((r) => iamGlob(r, false)),
  };
}

/** Exact membership in a list; anything but a list of strings selects nobody (a string's includes() is a substring test). */
function listed(names: readonly string[], name: string): boolean {
  return Array.isArray(names) && names.some((n) => n === name);
}

/** Whether the policy selects the workload (its namespace, service accounts and pod selector). */
export function selects(policy: Valid<EgressPolicy>, workload: Workload): boolean {
  if (policy.metadata.namespace !== undefined && policy.metadata.namespace !== workload.namespace) return false;
  // Both set: the pod must match both (the CRD rejects a policy with neither).
  const { serviceAccounts, podSelector } = policy.spec.workloads;
  if (serviceAccounts === undefined && podSelector === undefined) return false;
  if (serviceAccounts !== undefined && !listed(serviceAccounts, workload.serviceAccount)) return false;
  return podSelector === undefined || matchesSelector(podSelector, workload.labels);
}

function buildIndex(rules: readonly CompiledRule[]): RuleIndex {
  const policiesOf = (list: readonly CompiledRule[]): readonly string[] => [...new Set(list.map((r) => r.policy))];
  const entry = (list: readonly CompiledRule[]): { rules: readonly CompiledRule[]; policies: readonly string[]; filter: RuleFilter } => ({
    rules: list,
    policies: policiesOf(list),
    filter: ruleFilter(list),
  });
  const wildcard = entry(rules.filter((r) => r.source === '*'));
  const bySource = new Map<string, ReturnType<typeof entry>>();
  for (const source of new Set(rules.map((r) => r.source))) {
    if (source === '*') continue;
    // Policy order is kept: '*' rules stay where their policy stands.
    bySource.set(source, entry(rules.filter((r) => r.source === '*' || r.source === source)));
  }
  return {
    forSource: (source) => (bySource.get(source) ?? wildcard).rules,
    policiesFor: (source) => (bySource.get(source) ?? wildcard).policies,
    filterFor: (source) => (bySource.get(source) ?? wildcard).filter,
  };
}

/**
 * Compiles the EgressPolicies of a namespace for one workload: keeps the policies that select it, turns
 * every glob into a matcher once, and indexes the rules by source. Run on every policy change, never per
 * request. Policies are ordered by name so decisions and audit lines do not depend on watch order.
 * Only validated policies are accepted (createResourceValidator): the engine trusts their types.
 */
export function compileForWorkload(policies: readonly Valid<EgressPolicy>[], workload: Workload): WorkloadRules {
  const enforce: CompiledRule[] = [];
  const audit: CompiledRule[] = [];
  const sorted = [...policies].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const policy of sorted) {
    if (!selects(policy, workload)) continue;
    const name = `${policy.metadata.namespace ?? workload.namespace}/${policy.metadata.name ?? ''}`;
    const target = policy.spec.mode === 'Audit' ? audit : enforce;
    (policy.spec.rules ?? []).forEach((rule, i) => target.push(compileRule(name, rule, i)));
  }
  return { enforce: buildIndex(enforce), audit: buildIndex(audit) };
}
