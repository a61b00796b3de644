import type { CompiledRule, RuleIndex, WorkloadRules } from './compile.js';
import type { Decision, RequestFacts, RequestItem } from './types.js';

const NO_ITEM: RequestItem = {};

function ruleMatches(rule: CompiledRule, facts: RequestFacts, item: RequestItem): boolean {
  if (rule.methods !== undefined && !rule.methods.has(facts.method)) return false;
  if (rule.paths !== undefined && !rule.paths.some((g) => g.test(facts.path))) return false;
  if (rule.actions !== undefined) {
    if (item.action === undefined || !rule.actions.some((g) => g.test(item.action as string))) return false;
  }
  if (rule.resources !== undefined) {
    if (item.resource === undefined || !rule.resources.some((g) => g.test(item.resource as string))) return false;
  }
  return true;
}

type Verdict = Omit<Decision, 'forward' | 'mode'>;

/**
 * The first matching deny, else the first matching allow, in rule order. `positions` (ascending) are the
 * only rules that can match, from the source's RuleFilter; undefined means all of them.
 */
function scan(rules: readonly CompiledRule[], positions: readonly number[] | undefined, facts: RequestFacts, item: RequestItem): CompiledRule | undefined {
  let allow: CompiledRule | undefined;
  const n = positions === undefined ? rules.length : positions.length;
  for (let k = 0; k < n; k++) {
    const rule = rules[positions === undefined ? k : (positions[k] as number)] as CompiledRule;
    if (!ruleMatches(rule, facts, item)) continue;
    if (!rule.allow) return rule;
    allow ??= rule;
  }
  return allow;
}

/** Deny overrides allow; every item must be allowed by some rule and denied by none. */
function evaluate(index: RuleIndex, facts: RequestFacts): Verdict {
  const rules = index.forSource(facts.source);
  const filter = index.filterFor(facts.source);
  const items = facts.items.length > 0 ? facts.items : [NO_ITEM];
  let firstAllow: CompiledRule | undefined;
  for (const item of items) {
    const found = scan(rules, filter.candidates(facts.path, item), facts, item);
    if (!found) return { effect: 'Deny', reason: 'no rule allows it', policy: index.policiesFor(facts.source).join(', '), item };
    if (!found.allow) return { effect: 'Deny', reason: 'denied by rule', policy: found.policy, rule: found.rule, item };
    firstAllow ??= found;
  }
  const rule = firstAllow as CompiledRule;
  return { effect: 'Allow', reason: 'allowed by rule', policy: rule.policy, rule: rule.rule };
}

/**
 * Decides one request. Enforce-mode policies decide whenever any of them has rules for the source;
 * otherwise Audit-mode policies are evaluated and their verdict is recorded but the call is forwarded.
 * With no policy at all for the source the call is denied (default deny).
 */
export function decide(rules: WorkloadRules, facts: RequestFacts): Decision {
  if (rules.enforce.forSource(facts.source).length > 0) {
    const v = evaluate(rules.enforce, facts);
    return { ...v, forward: v.effect === 'Allow', mode: 'Enforce' };
  }
  if (rules.audit.forSource(facts.source).length > 0) {
    return { ...evaluate(rules.audit, facts), forward: true, mode: 'Audit' };
  }
  return {
    forward: false,
    effect: 'Deny',
    mode: 'Enforce',
    reason: 'no EgressPolicy selects this workload for this source',
  };
}
