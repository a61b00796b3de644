export * from './constants.js';
export type * from './types.generated.js';
export * from './validate/index.js';
