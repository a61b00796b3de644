import { byText } from '../compare.js';
import type { AuditLine } from '../audit/line.js';
import type { Replayed, ReplayReport } from './replay.js';

/** `POST /v1/chat/completions` or `s3:GetObject arn:aws:s3:::data/x` for one call. */
export function callOf(line: AuditLine): string {
  const aws = line.aws ? ` ${line.aws.action}${line.aws.resources.length > 0 ? ` ${line.aws.resources.join(' ')}` : ''}` : '';
  return `${line.source ?? '-'} ${line.method} ${line.path}${aws}`;
}

function why(r: Replayed): string {
  const d = r.after;
  const item = d.item?.action !== undefined ? ` (${d.item.action}${d.item.resource !== undefined ? ` on ${d.item.resource}` : ''})` : '';
  const by = d.policy ? ` [${d.policy}${d.rule ? `/${d.rule}` : ''}]` : '';
  return `${d.reason}${item}${by}`;
}

/** Distinct calls with how often each appears, most frequent first, at most `limit`. */
function summarize(list: readonly Replayed[], limit: number, render: (r: Replayed) => string): string[] {
  const counts = new Map<string, number>();
  for (const r of list) {
    const key = render(r);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]));
  const shown = rows.slice(0, limit).map(([k, n]) => `    ${n}× ${k}`);
  return rows.length > limit ? [...shown, `    … and ${rows.length - limit} more distinct calls`] : shown;
}

/** The human report of `policy test`: per workload what would now be denied or newly allowed. */
export function renderReplay(report: ReplayReport, limit = 20): string {
  const out: string[] = [];
  for (const w of report.workloads) {
    const verdict = w.newlyDenied.length > 0 ? 'FAIL' : 'ok';
    out.push(`${verdict}  ${w.workload}: ${w.calls} calls replayed, ${w.newlyDenied.length} that succeeded would now be denied, ${w.newlyAllowed.length} denied then would now be allowed`);
    if (w.newlyDenied.length > 0) {
      out.push('  would now be denied:');
      out.push(...summarize(w.newlyDenied, limit, (r) => `${callOf(r.line)} — ${why(r)} (e.g. ${r.line.origin}, request ${r.line.requestId})`));
    }
    if (w.deniedFailed.length > 0) {
      out.push(`  would now be denied (they failed anyway, so they do not fail the test): ${w.deniedFailed.length}`);
      out.push(...summarize(w.deniedFailed, limit, (r) => `${callOf(r.line)} — status ${r.line.status}${r.line.error ? ` ${r.line.error}` : ''}`));
    }
    if (w.newlyAllowed.length > 0) {
      out.push('  would now be allowed:');
      out.push(...summarize(w.newlyAllowed, limit, (r) => `${callOf(r.line)} — ${why(r)}`));
    }
  }
  for (const [reason, n] of report.notReplayable) out.push(`not replayed: ${n} line${n === 1 ? '' : 's'}: ${reason}`);
  out.push(report.failing ? `FAIL: calls that succeeded would be denied by the candidate policies` : `ok: ${report.replayed} calls replayed, none that succeeded would be denied`);
  return `${out.join('\n')}\n`;
}
