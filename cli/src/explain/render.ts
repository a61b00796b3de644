import type { AuditLine } from '../audit/line.js';
import { callOf } from '../replay/render.js';
import type { Explanation } from './explain.js';

function workloadText(line: AuditLine): string {
  return line.workload ? `${line.workload.namespace}/${line.workload.serviceAccount} (pod ${line.workload.pod})` : '(no verified workload)';
}

function recorded(line: AuditLine): string[] {
  const d = line.decision;
  if (d.effect === null) return [`  decided:  no policy decision — the call stopped before the policy: ${line.error ?? d.reason}`];
  const by = d.rule ? `rule ${d.rule} of EgressPolicy ${d.policy ?? '?'}` : d.policy ? `EgressPolicy ${d.policy} (no rule matched)` : 'no EgressPolicy';
  const audit = d.effect === 'Deny' && d.mode === 'Audit' ? ' (Audit mode: logged as a would-deny and forwarded)' : '';
  return [`  decided:  ${d.effect} in ${d.mode ?? '?'} mode by ${by}`, `  why:      ${d.reason}${audit}`];
}

function now(e: Explanation): string[] {
  if (!e.now) return [];
  const n = e.now.decision;
  const by = n.policy ? ` [${n.policy}${n.rule ? `/${n.rule}` : ''}]` : '';
  const out = [`  with the candidate policies: ${n.effect} (${n.mode}) — ${n.reason}${by}`];
  for (const r of e.now.rules) out.push(`    ${r.mismatch === undefined ? 'matches ' : 'no match'} ${r.effect} ${r.policy}/${r.rule} (${r.mode})${r.mismatch ? `: ${r.mismatch}` : ''}`);
  if (e.now.rules.length === 0) out.push(`    no candidate policy selects ${workloadText(e.line)} for source ${e.line.source ?? '-'}`);
  return out;
}

/** The text of `portcullis explain`. */
export function renderExplanation(e: Explanation): string {
  const { line } = e;
  const query = line.query ? `?${line.query}` : '';
  const host = line.host ? ` → ${line.host}` : '';
  const out = [
    `request ${line.requestId} at ${line.time} (${line.origin})`,
    `  workload: ${workloadText(line)}`,
    `  call:     ${callOf(line)}${query}${host}`,
    `  outcome:  status ${line.status}${line.error ? `, error ${line.error}` : ''}, ${line.decision.forwarded ? 'forwarded' : 'not forwarded'}`,
    ...recorded(line),
    ...now(e),
  ];
  return `${out.join('\n')}\n`;
}
