export { createResourceValidator, type Accepted, type Refused, type ResourceValidator, type Validation } from './validate-resource.js';
export type { KindTypes, ResourceKind, Valid } from './valid.js';
