import { byText } from '../compare.js';
import { compileForWorkload, decide, type Decision, type EgressPolicy, type Valid, type Workload, type WorkloadRules } from '@portcullis/shared';
import type { AuditLine } from '../audit/line.js';
import { CliError } from '../errors.js';
import { factsOf, workloadOf, type PodLabels } from './facts.js';

/** What happened to the call when it was recorded. */
export type Before = 'succeeded' | 'failed' | 'denied';

export interface Replayed {
  readonly line: AuditLine;
  readonly before: Before;
  /** What the candidate policies decide (their effect, whatever their mode: the candidate is meant to be enforced). */
  readonly after: Decision;
}

export interface WorkloadReplay {
  /** namespace/serviceAccount */
  readonly workload: string;
  readonly calls: number;
  /** Succeeded then, denied now: these fail the test. */
  readonly newlyDenied: readonly Replayed[];
  /** Failed upstream then (status ≥ 400 or an error), denied now: shown, not failing. */
  readonly deniedFailed: readonly Replayed[];
  /** Denied then, allowed now. */
  readonly newlyAllowed: readonly Replayed[];
}

export interface ReplayReport {
  readonly workloads: readonly WorkloadReplay[];
  /** Lines that cannot be replayed (no workload, no decision), by reason: always reported. */
  readonly notReplayable: ReadonlyMap<string, number>;
  readonly replayed: number;
  /** True when a call that succeeded would now be denied. */
  readonly failing: boolean;
}

function beforeOf(line: AuditLine): Before {
  if (!line.decision.forwarded) return 'denied';
  return line.status < 400 && line.error === null ? 'succeeded' : 'failed';
}

function unreplayable(line: AuditLine): string | undefined {
  if (line.workload === null) return 'no verified workload (identity unavailable)';
  if (line.source === null) return 'no CredentialSource on that port';
  if (line.decision.effect === null) return `no policy decision (${line.error ?? line.decision.reason} before the policy)`;
  return undefined;
}

function needsLabels(policies: readonly Valid<EgressPolicy>[], namespace: string): string | undefined {
  const p = policies.find((x) => x.metadata.namespace === namespace && x.spec.workloads.podSelector !== undefined);
  return p === undefined ? undefined : `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
}

/** The compiled rules for the line's workload, compiled once per service account and label set. */
function rulesFor(line: AuditLine, policies: readonly Valid<EgressPolicy>[], labels: PodLabels | undefined, cache: Map<string, WorkloadRules>): WorkloadRules {
  const w = line.workload as NonNullable<AuditLine['workload']>;
  const workload = workloadOf(line, labels) as Workload;
  if (!labels?.has(`${w.namespace}/${w.pod}`)) {
    const policy = needsLabels(policies, w.namespace);
    if (policy !== undefined) {
      throw new CliError('POLICY_NEEDS_POD_LABELS', `EgressPolicy ${policy} selects pods by podSelector, but ${line.origin} (pod ${w.namespace}/${w.pod}) carries no pod labels: read the lines from the cluster with --selector, or select by serviceAccounts`);
    }
  }
  const key = `${w.namespace}/${w.serviceAccount}\n${JSON.stringify(workload.labels)}`;
  let rules = cache.get(key);
  if (!rules) cache.set(key, (rules = compileForWorkload(policies, workload)));
  return rules;
}

/**
 * Replays recorded calls against candidate EgressPolicies with the sidecar's own engine
 * (compileForWorkload + decide from @portcullis/shared) and sorts out, per workload, what changes.
 */
export function replay(lines: readonly AuditLine[], policies: readonly Valid<EgressPolicy>[], labels?: PodLabels): ReplayReport {
  const notReplayable = new Map<string, number>();
  const compiled = new Map<string, WorkloadRules>();
  const byWorkload = new Map<string, { calls: number; newlyDenied: Replayed[]; deniedFailed: Replayed[]; newlyAllowed: Replayed[] }>();
  let replayed = 0;
  for (const line of lines) {
    const why = unreplayable(line);
    if (why !== undefined) {
      notReplayable.set(why, (notReplayable.get(why) ?? 0) + 1);
      continue;
    }
    const w = line.workload as NonNullable<AuditLine['workload']>;
    const rules = rulesFor(line, policies, labels, compiled);
    const after = decide(rules, factsOf(line));
    const before = beforeOf(line);
    const name = `${w.namespace}/${w.serviceAccount}`;
    let acc = byWorkload.get(name);
    if (!acc) byWorkload.set(name, (acc = { calls: 0, newlyDenied: [], deniedFailed: [], newlyAllowed: [] }));
    acc.calls++;
    replayed++;
    const r: Replayed = { line, before, after };
    if (after.effect === 'Deny' && before === 'succeeded') acc.newlyDenied.push(r);
    else if (after.effect === 'Deny' && before === 'failed') acc.deniedFailed.push(r);
    else if (after.effect === 'Allow' && before === 'denied') acc.newlyAllowed.push(r);
  }
  const workloads = [...byWorkload.entries()].sort(([a], [b]) => byText(a, b)).map(([workload, acc]) => ({ workload, ...acc }));
  return { workloads, notReplayable, replayed, failing: workloads.some((w) => w.newlyDenied.length > 0) };
}
