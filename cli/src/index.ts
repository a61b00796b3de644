// @portcullis/cli as a library: what the `portcullis` binary does, for tests and other tools.
export { parseAuditLine, type AuditLine, type ParsedLine } from './audit/line.js';
export { collectAuditLines, type LineInput } from './audit/collect.js';
export { suggestPolicies } from './suggest/suggest.js';
export { renderSuggestion, policyObject } from './suggest/render.js';
export { DEFAULT_SUGGEST_OPTIONS, type SuggestOptions, type Suggestion, type SuggestedPolicy } from './suggest/types.js';
export { loadPolicies } from './replay/load-policies.js';
export { replay, type ReplayReport } from './replay/replay.js';
export { explain } from './explain/explain.js';
export { toOcsfApiActivity } from './ocsf/api-activity.js';
export { runCli, EXIT } from './program.js';
export type { CliIo } from './io.js';
