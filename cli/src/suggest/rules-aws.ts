import { byText } from '../compare.js';
import { policyItemsOf } from '@portcullis/shared';
import type { AuditLine } from '../audit/line.js';
import { generalizeArn } from './arns.js';
import type { SuggestOptions } from './types.js';

export interface AwsGroup {
  readonly source: string;
  readonly actions: readonly string[];
  /** undefined: any resource (the call named none, or --any-resource). */
  readonly resources: readonly string[] | undefined;
  readonly calls: number;
  readonly lastSeen: string;
  readonly notes: readonly string[];
}

interface ActionAcc {
  readonly resources: Set<string>;
  any: boolean;
  readonly lines: Set<AuditLine>;
}

/**
 * AWS calls of one workload → rules: each action keeps the resource globs seen with it, and actions with
 * the same set of globs share a rule (the rule allows every action × resource pair it lists, so only
 * identical sets may share one). Actions are never widened; resources only as ArnOptions says.
 */
export function awsGroups(lines: readonly AuditLine[], options: SuggestOptions): AwsGroup[] {
  const actions = new Map<string, ActionAcc>();
  for (const line of lines) {
    for (const item of policyItemsOf(line.aws as NonNullable<AuditLine['aws']>)) {
      const key = `${line.source as string}\n${item.action as string}`;
      let acc = actions.get(key);
      if (!acc) actions.set(key, (acc = { resources: new Set(), any: false, lines: new Set() }));
      acc.lines.add(line);
      if (options.anyResource || item.resource === undefined || item.resource === '*') acc.any = true;
      else acc.resources.add(generalizeArn(item.resource, options));
    }
  }
  const rules = new Map<string, { source: string; actions: string[]; resources: string[] | undefined; lines: Set<AuditLine>; unnamed: boolean }>();
  for (const [key, acc] of actions) {
    const [source, action] = key.split('\n') as [string, string];
    const resources = acc.any ? undefined : [...acc.resources].sort();
    const ruleKey = `${source}\n${resources === undefined ? '*' : resources.join('\n')}`;
    let rule = rules.get(ruleKey);
    if (!rule) rules.set(ruleKey, (rule = { source, actions: [], resources, lines: new Set(), unnamed: acc.any && !options.anyResource }));
    rule.actions.push(action);
    for (const l of acc.lines) rule.lines.add(l);
  }
  return [...rules.values()]
    .map((r) => ({
      source: r.source,
      actions: r.actions.sort(),
      resources: r.resources,
      calls: r.lines.size,
      lastSeen: [...r.lines].reduce((max, l) => (l.time > max ? l.time : max), ''),
      notes: r.unnamed ? ['any resource: these calls named no resource the sidecar could check'] : [],
    }))
    .sort((a, b) => byText(a.source, b.source) || byText(a.actions.join(), b.actions.join()));
}
