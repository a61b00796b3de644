export { NO_FILTER, type RuleFilter } from './candidates.js';
export { compileForWorkload, selects as policySelects, type CompiledRule, type RuleIndex, type WorkloadRules } from './compile.js';
export { decide } from './decide.js';
export { iamGlob, pathGlob, type Glob } from './glob.js';
export { matchesSelector, type Labels } from './selector.js';
export type { Decision, DecisionReason, RequestFacts, RequestItem, Workload } from './types.js';
export * from './hosts/index.js';
