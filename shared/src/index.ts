export * from './crd/index.js';
export * from './errors/index.js';
export * from './http/normalize-path.js';
export * from './kube/index.js';
export * from './policy/index.js';
export * from './sources/index.js';
export * from './aws/index.js';
export * from './logging.js';
