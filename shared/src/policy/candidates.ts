/**
 * Which rules of a source could match a request, found without testing every glob: each glob's literal
 * prefix (or suffix, whichever is longer) is indexed, and a request only looks up the literals its own
 * path, action and resource start (or end) with. The result is a superset of the matching rules, in rule
 * order, so decide() gives exactly the answer a full scan gives; with 1,000 rules it tests a handful.
 *
 * Only ASCII is indexed: a literal is cut at its first (prefix) or last (suffix) non-ASCII character,
 * and a value with any non-ASCII character is not looked up at all (every rule is a candidate). Case
 * folding is then plain ASCII lower-casing, which agrees with the globs' own case-insensitive tests.
 */
import type { CompiledRule } from './compile.js';
import type { Glob } from './glob.js';
import type { RequestItem } from './types.js';

export interface RuleFilter {
  /** Positions (ascending) of the rules that may match; undefined: every rule may. */
  candidates(path: string, item: RequestItem): readonly number[] | undefined;
}

export const NO_FILTER: RuleFilter = { candidates: () => undefined };

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
const lowerAscii = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Literal text before the first and after the last wildcard (the whole pattern when it has none). */
function literals(pattern: string, wildcards: RegExp): { prefix: string; suffix: string } {
  const parts = pattern.split(wildcards);
  let prefix = parts[0] ?? '';
  let suffix = parts.length > 1 ? (parts[parts.length - 1] ?? '') : prefix;
  const cut = prefix.search(NON_ASCII);
  if (cut >= 0) prefix = prefix.slice(0, cut);
  for (let i = suffix.length - 1; i >= 0; i--) {
    if ((suffix.codePointAt(i) ?? 0) > 0x7f) {
      suffix = suffix.slice(i + 1);
      break;
    }
  }
  return { prefix, suffix };
}

/** One dimension (path, action or resource): literal → rule positions, by prefix and by suffix. */
class LiteralIndex {
  /** Rules without a constraint here, or with a glob that has no usable literal. */
  readonly always: number[] = [];
  private readonly prefixes = new Map<string, number[]>();
  private readonly suffixes = new Map<string, number[]>();
  private prefixLengths: number[] = [];
  private suffixLengths: number[] = [];

  constructor(private readonly fold: boolean) {}

  add(position: number, globs: readonly Glob[] | undefined, wildcards: RegExp): void {
    if (globs === undefined) return void this.always.push(position);
    for (const g of globs) {
      const { prefix, suffix } = literals(g.source, wildcards);
      const usePrefix = prefix.length >= suffix.length;
      const text = usePrefix ? prefix : suffix;
      if (text === '') return void this.always.push(position);
      const map = usePrefix ? this.prefixes : this.suffixes;
      const key = this.fold ? lowerAscii(text) : text;
      const list = map.get(key);
      if (!list) map.set(key, [position]);
      else if (list[list.length - 1] !== position) list.push(position);
    }
  }

  /** Distinct literals: the more, the more a lookup narrows. */
  get keys(): number {
    return this.prefixes.size + this.suffixes.size;
  }

  seal(): void {
    const lengths = (m: Map<string, number[]>): number[] => [...new Set([...m.keys()].map((k) => k.length))].sort((a, b) => a - b);
    this.prefixLengths = lengths(this.prefixes);
    this.suffixLengths = lengths(this.suffixes);
  }

  /** Calls `hit` for every rule whose literal fits `value` (value already ASCII and folded). */
  lookup(value: string, hit: (position: number) => void): void {
    for (const p of this.always) hit(p);
    for (const len of this.prefixLengths) {
      if (len > value.length) break;
      const list = this.prefixes.get(value.slice(0, len));
      if (list) for (const p of list) hit(p);
    }
    for (const len of this.suffixLengths) {
      if (len > value.length) break;
      const list = this.suffixes.get(value.slice(value.length - len));
      if (list) for (const p of list) hit(p);
    }
  }
}

const PATH_WILDCARDS = /\*+/;
const IAM_WILDCARDS = /[*?]+/;

/** Below this many rules a plain scan is as fast as any index. */
const MIN_RULES = 16;
/** Candidates few enough to stop narrowing and let decide() test them. */
const ENOUGH = 8;

class IndexedFilter implements RuleFilter {
  private readonly dims: { index: LiteralIndex; value: (path: string, item: RequestItem) => string | undefined }[] = [];
  private readonly mark: Uint32Array;
  private generation = 0;

  constructor(rules: readonly CompiledRule[]) {
    this.mark = new Uint32Array(rules.length);
    const path = new LiteralIndex(false);
    const action = new LiteralIndex(true);
    const resource = new LiteralIndex(false);
    rules.forEach((r, i) => {
      path.add(i, r.paths, PATH_WILDCARDS);
      action.add(i, r.actions, IAM_WILDCARDS);
      resource.add(i, r.resources, IAM_WILDCARDS);
    });
    // A dimension most rules leave open narrows nothing; only the selective ones are looked up.
    const selective = (d: LiteralIndex): boolean => d.always.length <= rules.length / 4;
    const candidates = [
      { index: path, value: (p: string) => p },
      { index: action, value: (_p: string, item: RequestItem) => (item.action === undefined ? undefined : lowerAscii(item.action)) },
      { index: resource, value: (_p: string, item: RequestItem) => item.resource },
    ];
    for (const d of candidates) {
      if (!selective(d.index)) continue;
      d.index.seal();
      this.dims.push(d);
    }
    // Most distinct literals first (e.g. 1,000 table ARNs before 3 action prefixes).
    this.dims.sort((a, b) => b.index.keys - a.index.keys);
  }

  candidates(path: string, item: RequestItem): readonly number[] | undefined {
    // Each selective dimension narrows the previous one's positions: `mark[p] === previous` means "still
    // in", and setting it to this dimension's generation both keeps p and ignores its duplicates.
    if (this.generation > 0xffff_fff0) {
      // Wrap-around, before the call rather than inside it: generations are compared across dimensions.
      this.mark.fill(0);
      this.generation = 0;
    }
    let best: number[] | undefined;
    let previous = 0;
    for (const dim of this.dims) {
      const value = dim.value(path, item);
      if (value !== undefined && NON_ASCII.test(value)) continue; // not indexed: no narrowing here
      const gen = this.nextGeneration();
      const found: number[] = [];
      const first = best === undefined;
      const mark = this.mark;
      const hit = (p: number): void => {
        if (first ? mark[p] === gen : mark[p] !== previous) return;
        mark[p] = gen;
        found.push(p);
      };
      // Without a value (an HTTP call has no AWS action) only the rules that leave it open can match.
      if (value === undefined) dim.index.always.forEach(hit);
      else dim.index.lookup(value, hit);
      best = found;
      previous = gen;
      // A few candidates are cheaper to test in full than to narrow further.
      if (found.length <= ENOUGH) break;
    }
    return best?.sort((a, b) => a - b);
  }

  private nextGeneration(): number {
    return ++this.generation;
  }
}

/** The filter for one source's rules (in policy order); small rule lists are scanned as they are. */
export function ruleFilter(rules: readonly CompiledRule[]): RuleFilter {
  return rules.length < MIN_RULES ? NO_FILTER : new IndexedFilter(rules);
}
