import { compileForWorkload, decide, type CompiledRule, type Decision, type EgressPolicy, type RequestFacts, type RequestItem, type Valid } from '@portcullis/shared';
import type { AuditLine } from '../audit/line.js';
import { CliError } from '../errors.js';
import { factsOf, workloadOf, type PodLabels } from '../replay/facts.js';

export interface RuleCheck {
  readonly policy: string;
  readonly rule: string;
  readonly effect: 'Allow' | 'Deny';
  readonly mode: 'Enforce' | 'Audit';
  /** undefined when the rule matches every item of the call; else the first condition that fails. */
  readonly mismatch: string | undefined;
}

export interface Explanation {
  readonly line: AuditLine;
  /** With candidate policies: what they decide now, and rule by rule why each does or does not match. */
  readonly now?: { readonly decision: Decision; readonly rules: readonly RuleCheck[] };
}

function itemMismatch(rule: CompiledRule, facts: RequestFacts, item: RequestItem): string | undefined {
  if (rule.methods !== undefined && !rule.methods.has(facts.method)) return `method ${facts.method} is not in [${[...rule.methods].join(', ')}]`;
  if (rule.paths !== undefined && !rule.paths.some((g) => g.test(facts.path))) return `path ${facts.path} matches none of [${rule.paths.map((g) => g.source).join(', ')}]`;
  if (rule.actions !== undefined && (item.action === undefined || !rule.actions.some((g) => g.test(item.action as string)))) {
    return `action ${item.action ?? '(none: not an AWS call)'} matches none of [${rule.actions.map((g) => g.source).join(', ')}]`;
  }
  if (rule.resources !== undefined && (item.resource === undefined || !rule.resources.some((g) => g.test(item.resource as string)))) {
    return `resource ${item.resource ?? '(none)'} of ${item.action ?? 'the call'} matches none of [${rule.resources.map((g) => g.source).join(', ')}]`;
  }
  return undefined;
}

function check(rule: CompiledRule, mode: 'Enforce' | 'Audit', facts: RequestFacts): RuleCheck {
  const items = facts.items.length > 0 ? facts.items : [{}];
  let mismatch: string | undefined;
  for (const item of items) {
    mismatch = itemMismatch(rule, facts, item);
    if (mismatch !== undefined) break;
  }
  return { policy: rule.policy, rule: rule.rule, effect: rule.allow ? 'Allow' : 'Deny', mode, mismatch };
}

/**
 * Finds the audit line of `requestId` and, with candidate policies, decides it again with the sidecar's
 * engine and says for every rule of the call's source why it matches or not. (The decision itself is
 * decide()'s; the per-rule reasons are for reading only.)
 */
export function explain(lines: readonly AuditLine[], requestId: string, policies?: readonly Valid<EgressPolicy>[], labels?: PodLabels): Explanation {
  const line = lines.find((l) => l.requestId === requestId);
  if (!line) throw new CliError('REQUEST_NOT_FOUND', `no audit line has requestId ${JSON.stringify(requestId)} in the ${lines.length} lines read; check the id and that the input covers the time of the call`);
  if (!policies) return { line };
  const workload = workloadOf(line, labels);
  if (!workload || line.source === null) return { line };
  const rules = compileForWorkload(policies, workload);
  const facts = factsOf(line);
  const checks = [
    ...rules.enforce.forSource(line.source).map((r) => check(r, 'Enforce', facts)),
    ...rules.audit.forSource(line.source).map((r) => check(r, 'Audit', facts)),
  ];
  return { line, now: { decision: decide(rules, facts), rules: checks } };
}
