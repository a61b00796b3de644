// Types the sidecar takes from @portcullis/shared, gathered so modules import them from one place.
export type { Decision, RequestFacts, RequestItem, Workload, WorkloadRules } from '@portcullis/shared';
export type { Identity } from './identity/identity.js';
