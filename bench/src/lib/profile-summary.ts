// A .cpuprofile (node --cpu-prof) summarized over chosen time windows: self time by file or package and
// by function, and time including callees for the functions a filter picks (a recursive function counts
// once per sample). Used by webhook-profile.ts.
import { resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  /** µs on CLOCK_MONOTONIC, the clock process.hrtime reads in every process. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Window {
  /** µs, process.hrtime.bigint() / 1000n */
  readonly from: number;
  readonly to: number;
}

const repoRoot = resolve(import.meta.dirname, '../../..');

function where(url: string): string {
  if (!url) return '(native/GC)';
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return nm ? `npm:${nm[1]}` : url.replace(`file://${repoRoot}/`, '');
}

export function summarizeProfile(p: CpuProfile, windows: readonly Window[], top: number, inclusive: (name: string) => boolean): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const add = (m: Map<string, number>, k: string, us: number): void => void m.set(k, (m.get(k) ?? 0) + us);
  const [self, file, total] = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  let all = 0;
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    const leaf = byId.get(id);
    if (!leaf || !windows.some((w) => t >= w.from && t <= w.to)) return;
    all += dt;
    add(self, name(leaf), dt);
    add(file, where(leaf.callFrame.url), dt);
    const stack = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) stack.add(name(n));
    for (const k of stack) if (inclusive(k)) add(total, k, dt);
  });
  const fmt = (m: Map<string, number>): string[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `${((100 * us) / all).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `${(all / 1000).toFixed(0)} ms sampled`,
    'self time by file/package:', ...fmt(file), '',
    'self time by function:', ...fmt(self), '',
    'including callees:', ...fmt(total),
  ].join('\n');
}
