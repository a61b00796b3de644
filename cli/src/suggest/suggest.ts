import type { AuditLine } from '../audit/line.js';
import { CliError } from '../errors.js';
import { labelOf, UniqueNames } from './names.js';
import { awsGroups } from './rules-aws.js';
import { httpGroups } from './rules-http.js';
import type { SuggestedPolicy, SuggestedRule, Suggestion, SuggestOptions } from './types.js';

/** The CRD's limits (crds/portcullis.dev_egresspolicies.yaml). */
const MAX_RULES = 256;
const MAX_ACTIONS = 64;
const MAX_RESOURCES = 32;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out.length > 0 ? out : [[]];
}

/** Why a line is not turned into a rule, or undefined when it is. */
function ignoredBecause(line: AuditLine, options: SuggestOptions): string | undefined {
  if (line.workload === null) return 'no verified workload (identity unavailable)';
  if (line.source === null) return 'no CredentialSource on that port';
  if (line.decision.effect === null) return `no policy decision (${line.error ?? line.decision.reason} before the policy)`;
  if (!line.decision.forwarded && !options.includeDenied) return 'denied by an Enforce policy (add --include-denied to allow these too)';
  return undefined;
}

function rulesOf(lines: readonly AuditLine[], options: SuggestOptions): SuggestedRule[] {
  const names = new UniqueNames();
  const rules: SuggestedRule[] = [];
  for (const g of httpGroups(lines.filter((l) => l.aws === undefined), options)) {
    const name = names.take(labelOf(`${g.source} ${g.path}`, g.source));
    rules.push({ name, source: g.source, ...(g.methods ? { methods: g.methods } : {}), paths: [g.path], calls: g.calls, lastSeen: g.lastSeen, notes: g.notes });
  }
  for (const g of awsGroups(lines.filter((l) => l.aws !== undefined), options)) {
    for (const actions of chunks(g.actions, MAX_ACTIONS)) {
      for (const resources of g.resources === undefined ? [undefined] : chunks(g.resources, MAX_RESOURCES)) {
        const name = names.take(labelOf(`${g.source} ${actions.map((a) => a.slice(a.indexOf(':') + 1)).join(' ')}`, g.source));
        rules.push({ name, source: g.source, actions, ...(resources ? { resources } : {}), calls: g.calls, lastSeen: g.lastSeen, notes: g.notes });
      }
    }
  }
  return rules;
}

/**
 * The smallest EgressPolicies that allow what the audit lines show, one per workload (namespace and
 * service account): HTTP calls by source, path glob (ids collapsed) and the methods seen; AWS calls by
 * action and resource glob. Every line not used is counted under its reason.
 */
export function suggestPolicies(lines: readonly AuditLine[], options: SuggestOptions): Suggestion {
  const ignored = new Map<string, number>();
  const byWorkload = new Map<string, AuditLine[]>();
  let used = 0;
  for (const line of lines) {
    const why = ignoredBecause(line, options);
    if (why !== undefined) {
      ignored.set(why, (ignored.get(why) ?? 0) + 1);
      continue;
    }
    used++;
    const w = line.workload as NonNullable<AuditLine['workload']>;
    const key = `${w.namespace}/${w.serviceAccount}`;
    const list = byWorkload.get(key) ?? [];
    list.push(line);
    byWorkload.set(key, list);
  }
  const policies: SuggestedPolicy[] = [];
  for (const key of [...byWorkload.keys()].sort()) {
    const list = byWorkload.get(key) as AuditLine[];
    const [namespace, serviceAccount] = key.split('/') as [string, string];
    const rules = rulesOf(list, options);
    if (rules.length > MAX_RULES) {
      throw new CliError('SUGGESTION_TOO_LARGE', `workload ${key} would need ${rules.length} rules (the CRD allows ${MAX_RULES}); generalise more with --collapse-after 3 or a smaller --s3-prefix-depth`);
    }
    const times = list.map((l) => l.time).sort();
    policies.push({
      namespace,
      serviceAccount,
      name: `${serviceAccount}-suggested`.slice(0, 253),
      mode: options.mode,
      rules,
      calls: list.length,
      firstSeen: times[0] as string,
      lastSeen: times[times.length - 1] as string,
    });
  }
  return { policies, ignored, used };
}
