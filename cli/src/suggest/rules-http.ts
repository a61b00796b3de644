import { byText } from '../compare.js';
import type { AuditLine } from '../audit/line.js';
import { collapsePaths } from './collapse.js';
import { generalizePath } from './path-ids.js';
import type { SuggestOptions } from './types.js';

/** The methods a rule can list (the CRD's enum). */
const LISTABLE: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface HttpGroup {
  readonly source: string;
  readonly path: string;
  /** undefined: a method the CRD cannot list was seen, so the rule cannot restrict methods. */
  readonly methods: readonly string[] | undefined;
  readonly calls: number;
  readonly lastSeen: string;
  readonly notes: readonly string[];
}

interface Acc {
  methods: Set<string>;
  unlistable: Set<string>;
  calls: number;
  lastSeen: string;
}

/** HTTP calls of one workload → one group per (source, path glob) with the methods seen on it. */
export function httpGroups(lines: readonly AuditLine[], options: SuggestOptions): HttpGroup[] {
  const bySource = new Map<string, AuditLine[]>();
  for (const line of lines) {
    const source = line.source as string;
    const list = bySource.get(source) ?? [];
    list.push(line);
    bySource.set(source, list);
  }
  const groups: HttpGroup[] = [];
  for (const [source, list] of bySource) {
    const generalized = new Map(list.map((l) => [l.path, generalizePath(l.path, options.keepIds)]));
    const collapsed = collapsePaths([...new Set(generalized.values())], options.collapseAfter);
    const accs = new Map<string, Acc>();
    for (const line of list) {
      const pattern = collapsed.get(generalized.get(line.path) as string) as string;
      let acc = accs.get(pattern);
      if (!acc) accs.set(pattern, (acc = { methods: new Set(), unlistable: new Set(), calls: 0, lastSeen: line.time }));
      if (LISTABLE.has(line.method)) acc.methods.add(line.method);
      else acc.unlistable.add(line.method === '' ? '(none)' : line.method);
      acc.calls++;
      if (line.time > acc.lastSeen) acc.lastSeen = line.time;
    }
    for (const [path, acc] of accs) {
      const unlistable = [...acc.unlistable].sort();
      groups.push({
        source,
        path,
        methods: unlistable.length > 0 ? undefined : [...acc.methods].sort(),
        calls: acc.calls,
        lastSeen: acc.lastSeen,
        notes: unlistable.length > 0 ? [`any method: ${unlistable.join(', ')} cannot be listed in methods`] : [],
      });
    }
  }
  return groups.sort((a, b) => byText(a.source, b.source) || byText(a.path, b.path));
}
