export interface SuggestOptions {
  /** Keep id-like path segments literal (tighter). */
  readonly keepIds: boolean;
  /** Collapse a path position with at least this many distinct values to `*` (looser); 0: off. */
  readonly collapseAfter: number;
  /** S3 object keys grouped by this many leading segments; 0: whole bucket. */
  readonly s3PrefixDepth: number;
  /** Leave resources out of AWS rules: any resource of the seen actions (loosest; only when asked). */
  readonly anyResource: boolean;
  /** Also allow calls an Enforce policy denied (normally they are reported, not allowed). */
  readonly includeDenied: boolean;
  /** The mode of the suggested policies. */
  readonly mode: 'Enforce' | 'Audit';
}

export const DEFAULT_SUGGEST_OPTIONS: SuggestOptions = Object.freeze({
  keepIds: false,
  collapseAfter: 0,
  s3PrefixDepth: 1,
  anyResource: false,
  includeDenied: false,
  mode: 'Enforce',
});

export interface SuggestedRule {
  readonly name: string;
  readonly source: string;
  readonly methods?: readonly string[];
  readonly paths?: readonly string[];
  readonly actions?: readonly string[];
  readonly resources?: readonly string[];
  /** How many audit lines this rule covers, and the latest time among them. */
  readonly calls: number;
  readonly lastSeen: string;
  /** Why the rule is wider than what was seen, when it is (e.g. a method the CRD cannot list). */
  readonly notes: readonly string[];
}

export interface SuggestedPolicy {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly name: string;
  readonly mode: 'Enforce' | 'Audit';
  readonly rules: readonly SuggestedRule[];
  readonly calls: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface Suggestion {
  readonly policies: readonly SuggestedPolicy[];
  /** Lines that were not turned into rules, by reason (always reported). */
  readonly ignored: ReadonlyMap<string, number>;
  /** How many lines the policies cover. */
  readonly used: number;
}
