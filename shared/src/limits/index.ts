export { admitCall, askOf, finishCall, type Admission, type BudgetOutcome, type CallFacts, type Grant, type LimitStores, type Refusal, type RefusalCode, type ReportedUsage } from './admit.js';
export { EMPTY_BUDGET, ZERO, release, remaining, reserve, settle, type Amount, type BudgetDimension, type BudgetLimits, type BudgetState, type ReserveResult } from './budget.js';
export { compileLimits, NO_LIMITS, type CompiledBudget, type CompiledLimit, type WorkloadLimits } from './compile.js';
export { limitKey } from './keys.js';
export { MemoryLimitStore } from './memory-store.js';
export { DEFAULT_PRICES, costOf, parseUSD, priceTable, priced, type ModelPrice, type PriceTable } from './prices.js';
export type { LimitStore } from './store.js';
export { bucketSpec, takeToken, type BucketSpec, type BucketState, type BucketTake } from './token-bucket.js';
export { windowSlot, type BudgetWindow, type WindowSlot } from './window.js';
