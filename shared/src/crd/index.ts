export * from './constants.js';
export type * from './types.generated.js';
export type * from './object-meta.js';
export * from './validate/index.js';
